package dev.limits.benchmarks;

import dev.limits.Decision;
import dev.limits.LimitPolicy;
import dev.limits.LimitRequest;
import dev.limits.Limiter;
import dev.limits.UsageCounters;
import dev.limits.spi.Charge;
import dev.limits.spi.ConsumeRequest;
import dev.limits.spi.ConsumeResult;
import dev.limits.spi.UsageCounter;
import io.github.bucket4j.Bucket;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One message counted against a plan of 1 or 6 windows, four ways, side by side:
 *
 * <ul>
 *   <li>{@code limiter}: {@link Limiter#consume}, the whole facade over the in-memory counter;
 *   <li>{@code tryConsume}: {@link Limiter#tryConsume}, the facade answering only allowed or denied, with no
 *       {@link Decision}, like Bucket4j's {@code tryConsume};
 *   <li>{@code counter}: {@link UsageCounter#consume} of the in-memory counter alone, with a request built
 *       once, so the difference to {@code limiter} is the facade's own cost;
 *   <li>{@code bucket4j}: a Bucket4j local bucket with one bandwidth per window, {@code tryConsume(1)}.
 * </ul>
 * Each looks its subject up by name (ours inside the counter, {@code bucket4j} in a {@link ConcurrentHashMap}
 * as an application would), either cycling through {@value Fixtures#SUBJECTS} subjects ({@code spread}) or
 * always the same one ({@code hot}). Both sides read a fixed clock.
 *
 * <p>Iterations are short (one second) and few, so that the whole profile, the JDBC benchmarks included,
 * runs in under ten minutes; on a loaded machine read the CPU time per operation ({@link CpuTimeProfiler}),
 * which load hardly moves.
 *
 * <p>The concrete subclasses fix the thread count and whether requests are allowed or denied, so that one
 * JMH run measures every combination. Future stores (limits-jdbc) get their own benchmark classes.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@State(Scope.Benchmark)
public abstract class ConsumeBenchmark {

  /**
   * The number of windows in the plan: 1 (hour) or 6 (hour, 3 h, 12 h, day, week, month); a {@code @Param}
   * of each subclass.
   */
  abstract int windows();

  /** {@code spread}: cycle through {@value Fixtures#SUBJECTS} subjects; {@code hot}: one subject. */
  @Param({"spread", "hot"})
  public String subjects;

  private Limiter limiter;
  private LimitPolicy policy;
  private LimitRequest[] requests;
  private UsageCounter counter;
  private ConsumeRequest[] counterRequests;
  private ConcurrentHashMap<String, Bucket> buckets;
  private String[] names;
  private long limit;
  private boolean hot;

  /** Whether every request is to be denied (its quotas used up in setup) rather than allowed. */
  abstract boolean denied();

  @Setup(Level.Trial)
  public void setUp() {
    hot = Fixtures.isHot(subjects);
    limit = denied() ? Fixtures.SMALL : Fixtures.LARGE;
    policy = Fixtures.policy(windows(), limit);
    counter = newCounter();
    limiter = Limiter.builder(counter).clock(Fixtures.CLOCK).build();
    List<Charge> charges = Fixtures.charges(policy);
    names = new String[Fixtures.SUBJECTS];
    requests = new LimitRequest[Fixtures.SUBJECTS];
    counterRequests = new ConsumeRequest[Fixtures.SUBJECTS];
    buckets = new ConcurrentHashMap<>();
    for (int i = 0; i < Fixtures.SUBJECTS; i++) {
      names[i] = Fixtures.subject(i);
      requests[i] = LimitRequest.of(names[i]).amount(Fixtures.MESSAGES, 1);
      counterRequests[i] = new ConsumeRequest(names[i], charges, ConsumeRequest.Mode.ENFORCE, null, 0,
          Fixtures.NOW.toEpochMilli());
      Bucket bucket = buckets.computeIfAbsent(names[i], this::newBucket);
      if (denied()) {
        for (int k = 0; k < limit; k++) {
          expect(limiter.consume(policy, requests[i]).isAllowed(), true, "filling " + names[i]);
        }
        expect(bucket.tryConsume(limit), true, "filling the bucket of " + names[i]);
      }
    }
    // Every benchmark must take the path it is named for.
    boolean allowed = !denied();
    expect(limiter.consume(policy, requests[0]).isAllowed(), allowed, "limiter");
    expect(limiter.tryConsume(policy, requests[0]), allowed, "tryConsume");
    expect(counter.consume(counterRequests[0]).isApplied(), allowed, "counter");
    expect(java.util.Objects.requireNonNull(buckets.get(names[0]), "bucket").tryConsume(1), allowed, "bucket4j");
  }

  /**
   * The store under test, fresh for each trial. A subclass for another store (limits-jdbc) overrides this,
   * and {@link #closeCounter()} if it holds connections.
   */
  UsageCounter newCounter() {
    return UsageCounters.inMemory();
  }

  @TearDown(Level.Trial)
  public void closeCounter() {}

  private Bucket newBucket(String subject) {
    return Fixtures.bucket(windows(), limit);
  }

  private static void expect(boolean actual, boolean expected, String what) {
    if (actual != expected) {
      throw new IllegalStateException(what + ": expected " + (expected ? "allowed" : "denied"));
    }
  }

  private int pick(Cursor cursor) {
    return hot ? 0 : cursor.next();
  }

  /**
   * {@link Limiter#consume}: rules, cached periods, the counter, and the decision. It warms up longer: on a
   * busy two-core machine the JIT needed several seconds to finish compiling its call tree (ten were used
   * before the JDBC benchmarks joined the ten-minute profile; a longer run: {@code -wi 10}).
   */
  @Benchmark
  @Warmup(iterations = 4, time = 1)
  public Decision limiter(Cursor cursor) {
    return limiter.consume(policy, requests[pick(cursor)]);
  }

  /**
   * {@link Limiter#tryConsume}: the same rules and atomic count as {@code limiter}, answering only allowed or
   * denied, as Bucket4j's {@code tryConsume} does; it allocates nothing on this plan of one metric.
   */
  @Benchmark
  @Warmup(iterations = 4, time = 1)
  public boolean tryConsume(Cursor cursor) {
    return limiter.tryConsume(policy, requests[pick(cursor)]);
  }

  /** The in-memory {@link UsageCounter#consume} alone, on a request built in setup. */
  @Benchmark
  public ConsumeResult counter(Cursor cursor) {
    return counter.consume(counterRequests[pick(cursor)]);
  }

  /** Bucket4j: find the subject's bucket, then {@code tryConsume(1)}. */
  @Benchmark
  public boolean bucket4j(Cursor cursor) {
    return buckets.computeIfAbsent(names[pick(cursor)], this::newBucket).tryConsume(1);
  }
}
