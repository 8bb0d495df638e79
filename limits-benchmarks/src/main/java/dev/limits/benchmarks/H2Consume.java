package dev.limits.benchmarks;

import com.zaxxer.hikari.HikariDataSource;
import dev.limits.Decision;
import dev.limits.LimitPolicy;
import dev.limits.LimitRequest;
import dev.limits.Limiter;
import dev.limits.jdbc.JdbcUsageCounter;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
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
 * Our consume ({@code limits}: {@link Limiter#consume} over {@link JdbcUsageCounter}, one {@code CALL} of a
 * Java function inside the engine) on an embedded in-memory H2 database, with the same pool, plan (6
 * windows), subjects and checks as {@link PostgresPeer}; Bucket4j has no H2 proxy manager to compare with.
 * The subclasses fix the threads.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@State(Scope.Benchmark)
public abstract class H2Consume {

  /** {@code spread}: cycle through {@value Fixtures#SUBJECTS} subjects; {@code hot}: one subject. */
  @Param({"spread", "hot"})
  public String subjects;

  private HikariDataSource pool;
  private Limiter limiter;
  private LimitPolicy policy;
  private LimitRequest[] requests;
  private boolean hot;
  private final LongAdder allowed = new LongAdder();

  @Setup(Level.Trial)
  public void setUp() {
    CpuTimeProfiler.excluded(() -> {
      hot = Fixtures.isHot(subjects);
      pool = Db.h2Pool();
      limiter = Limiter.builder(JdbcUsageCounter.builder(pool).createSchemaIfMissing(true).build())
          .clock(Fixtures.CLOCK).build();
      policy = Fixtures.policy(PostgresBase.WINDOWS, Fixtures.LARGE);
      requests = new LimitRequest[Fixtures.SUBJECTS];
      for (int i = 0; i < Fixtures.SUBJECTS; i++) {
        requests[i] = LimitRequest.of(Fixtures.subject(i)).amount(Fixtures.MESSAGES, 1);
      }
      Db.parallel(hot ? 1 : Fixtures.SUBJECTS, this::limits);
    });
  }

  /** Our consume on H2. */
  @Benchmark
  public Decision limits(Cursor cursor) {
    return limits(hot ? 0 : cursor.next());
  }

  private Decision limits(int i) {
    Decision d = limiter.consume(policy, requests[i]);
    if (d.isAllowed()) {
      allowed.increment();
    }
    return d;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    try {
      CpuTimeProfiler.excluded(() -> {
        Exact.counters(limiter, policy, pool, hot, allowed.sum());
        System.out.printf("%ncheck passed (%s): limits %d allowed%n", subjects, allowed.sum());
      });
    } finally {
      CpuTimeProfiler.excluded(pool::close);
    }
  }
}
