package dev.limits.benchmarks;

import com.zaxxer.hikari.HikariDataSource;
import dev.limits.Decision;
import dev.limits.LimitPolicy;
import dev.limits.LimitRequest;
import dev.limits.Limiter;
import dev.limits.jdbc.JdbcUsageCounter;
import java.util.List;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Scale: our PostgreSQL consume ({@code limits}, one thread) with {@code rows} distinct subjects already in
 * the counter table, 1 thousand against 1 million, cycling through all of them with a prime stride (so each
 * consume finds its subject's row, and with a million most are not in any cache). A plan of
 * {@value #WINDOWS} window (hour) on both, so one row per subject: loading 6 million rows would take longer
 * than the benchmark. The rows are real: subject {@code user-0} is consumed once through the counter, and
 * every other subject's row is a copy of its row ({@code INSERT ... SELECT ... FROM generate_series}), so
 * the layout is whatever limits-jdbc writes. The cost per consume should not depend on {@code rows}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@State(Scope.Benchmark)
@Threads(1)
public class PostgresScale1Thread {

  static final int WINDOWS = 1;

  private static final int STRIDE = 7919;

  /** How many subjects have a row before the benchmark starts. */
  @Param({"1000", "1000000"})
  public int rows;

  private Db.Server server;
  private HikariDataSource pool;
  private Limiter limiter;
  private LimitPolicy policy;
  private int next;
  private long allowed;

  @Setup(Level.Trial)
  public void setUp() {
    server = Db.profiledPostgres();
    CpuTimeProfiler.excluded(this::prepare);
  }

  private void prepare() {
    pool = Db.pool(server.url());
    Db.exec(pool, "DROP TABLE IF EXISTS limits_counter, limits_operation, limits_hold");
    limiter = Limiter.builder(JdbcUsageCounter.builder(pool).createSchemaIfMissing(true).build())
        .clock(Fixtures.CLOCK).build();
    policy = Fixtures.policy(WINDOWS, Fixtures.LARGE);
    long start = System.nanoTime();
    expectAllowed(limiter.consume(policy, request(0)));
    Db.exec(pool, "INSERT INTO limits_counter (subject, counter_key, bucket_ms, lookback, period_start, "
        + "period_end, used, earlier_starts, earlier_used, expires_at) "
        + "SELECT 'user-' || g, c.counter_key, c.bucket_ms, c.lookback, c.period_start, c.period_end, c.used, "
        + "c.earlier_starts, c.earlier_used, c.expires_at FROM generate_series(1, " + (rows - 1) + ") g "
        + "CROSS JOIN limits_counter c WHERE c.subject = 'user-0'", "VACUUM ANALYZE limits_counter");
    System.out.printf("%nloaded %d rows (%d windows) in %d ms; %s%n", rows, WINDOWS,
        (System.nanoTime() - start) / 1_000_000, Db.postgresSettings(pool));
  }

  private static LimitRequest request(int i) {
    return LimitRequest.of("user-" + i).amount(Fixtures.MESSAGES, 1);
  }

  private static void expectAllowed(Decision d) {
    if (!d.isAllowed()) {
      throw new IllegalStateException("denied: " + d);
    }
  }

  /** Our consume on the next subject (its request built here, as a caller would: the same on both sides). */
  @Benchmark
  public Decision limits() {
    int i = next + STRIDE;
    while (i >= rows) {
      i -= rows;
    }
    next = i;
    Decision d = limiter.consume(policy, request(i));
    if (d.isAllowed()) {
      allowed++;
    }
    return d;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    try {
      CpuTimeProfiler.excluded(() -> {
        List<String> sums = Db.query(pool, "SELECT COUNT(*), SUM(used) FROM limits_counter").get(0);
        Exact.expect(Long.parseLong(sums.get(0)), rows, "scale: rows");
        Exact.expect(Long.parseLong(sums.get(1)), rows + allowed, "scale: the sum of used");
        System.out.printf("%ncheck passed: %d rows hold %d loaded + %d allowed%n", rows, rows, allowed);
      });
    } finally {
      CpuTimeProfiler.serverStopping();
      CpuTimeProfiler.excluded(() -> {
        pool.close();
        server.close();
      });
    }
  }
}
