package dev.limits.benchmarks;

import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * Overshoot under contention: eight threads on one subject whose hour window allows only
 * {@value #HOUR_LIMIT} messages (the other five windows {@value Fixtures#LARGE}), ours and Bucket4j's. Every
 * iteration starts with the subject's rows deleted on both sides, so the limit is reached in every iteration
 * (at a few hundred allowed consumes per second or more) and the threads race at the boundary; after it the
 * rest of the iteration is denied. After each iteration the allowed decisions are compared with what the
 * database holds ({@link PostgresBase}): more than {@value #HOUR_LIMIT}, or a count that differs, throws.
 * Its throughput mixes allowed and denied operations, so it is no measure of either path.
 */
@Threads(8)
public class PostgresHotLimit8Threads extends PostgresBase {

  /** The hour's limit: reached within each one-second iteration by either side. */
  static final long HOUR_LIMIT = 300;

  private int iterations;
  private int limitsReached;
  private int bucketReached;

  @Override
  boolean hot() {
    return true;
  }

  @Override
  long[] limits() {
    long[] limits = Fixtures.limits(WINDOWS, Fixtures.LARGE);
    limits[0] = HOUR_LIMIT;
    return limits;
  }

  @Setup(Level.Iteration)
  public void reset() {
    CpuTimeProfiler.excluded(this::resetHotSubject);
  }

  @TearDown(Level.Iteration)
  public void checkIteration() {
    CpuTimeProfiler.excluded(() -> {
      check();
      iterations++;
      if (limitsAllowed() + limitsDenied() > 0) {
        limitsReached += limitsAllowed() == HOUR_LIMIT ? 1 : 0;
        System.out.printf("limits: %d of %d iterations reached the hour's limit of %d%n", limitsReached,
            iterations, HOUR_LIMIT);
      }
      if (bucketAllowed() + bucketDenied() > 0) {
        bucketReached += bucketAllowed() == HOUR_LIMIT ? 1 : 0;
        System.out.printf("bucket4j: %d of %d iterations reached the hour's limit of %d%n", bucketReached,
            iterations, HOUR_LIMIT);
      }
    });
  }
}
