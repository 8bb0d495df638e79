package dev.limits.benchmarks;

import com.zaxxer.hikari.HikariDataSource;
import dev.limits.Decision;
import dev.limits.LimitPolicy;
import dev.limits.LimitRequest;
import dev.limits.Limiter;
import dev.limits.jdbc.JdbcUsageCounter;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import io.github.bucket4j.postgresql.PostgreSQLSelectForUpdateBasedProxyManager;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import javax.sql.DataSource;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * One message counted against a plan of {@link Fixtures}' 6 windows on PostgreSQL, ours and Bucket4j's, side by
 * side on the same embedded server, through the same pool (see {@link PostgresPeer}):
 *
 * <ul>
 *   <li>{@code limits}: {@link Limiter#consume} over {@link JdbcUsageCounter} (one statement in autocommit);
 *   <li>{@code bucket4j}: {@code tryConsume(1)} on a bucket of Bucket4j's
 *       {@link PostgreSQLSelectForUpdateBasedProxyManager} with the same 6 bandwidths (a transaction:
 *       {@code SELECT ... FOR UPDATE}, {@code UPDATE}, commit), on the same fixed clock.
 * </ul>
 * Each trial starts from freshly created tables; each subject a trial uses is consumed once in set-up so that
 * its rows exist, as in a running system.
 *
 * <p>After the trial every allowed decision is checked against what the database holds: each of our
 * counters (read back through {@link Limiter#usage} on a hot subject, summed in SQL when spread) must equal
 * the number of allowed consumes and stay within its limit, and Bucket4j's consumed tokens (capacity minus
 * available) must equal its allowed consumes; any difference throws, failing the benchmark.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@State(Scope.Benchmark)
public abstract class PostgresBase {

  static final int WINDOWS = 6;

  /** The counter's batches in flight ({@code maxConcurrentBatches}), to compare other values; default 2. */
  static final String BATCHES_PROPERTY = "limits.bench.batches";

  private Db.Server server;
  HikariDataSource pool;
  private LimitPolicy policy;
  private long[] limits;
  private Limiter limiter;
  private LimitRequest[] requests;
  private Bucket[] buckets;
  private boolean oneSubject;
  private final LongAdder limitsAllowed = new LongAdder();
  private final LongAdder limitsDenied = new LongAdder();
  private final LongAdder bucketAllowed = new LongAdder();
  private final LongAdder bucketDenied = new LongAdder();
  final LongAdder updates = new LongAdder();
  final LongAdder cellUpdates = new LongAdder();

  /** Whether every operation uses one subject rather than {@value Fixtures#SUBJECTS}. */
  abstract boolean hot();

  /** The limit of each window; the hot-limit subclass sets a small one on the hour. */
  long[] limits() {
    return Fixtures.limits(WINDOWS, Fixtures.LARGE);
  }

  @Setup(Level.Trial)
  public void setUp(BenchmarkParams params) {
    server = Db.profiledPostgres();
    CpuTimeProfiler.excluded(() -> prepare(params.getBenchmark()));
  }

  private void prepare(String benchmark) {
    oneSubject = hot();
    pool = Db.pool(server.url());
    System.out.println(Db.postgresSettings(pool));
    Db.exec(pool, "DROP TABLE IF EXISTS limits_counter, limits_operation, limits_hold, bucket, floor_counter, "
            + "floor_cells",
        "CREATE TABLE bucket (id BIGINT PRIMARY KEY, state BYTEA, expires_at BIGINT)",
        "CREATE TABLE floor_counter (id INT PRIMARY KEY, used BIGINT NOT NULL)",
        "INSERT INTO floor_counter SELECT g, 0 FROM generate_series(0, " + (Fixtures.SUBJECTS - 1) + ") g",
        "CREATE TABLE floor_cells (id INT, w INT, used BIGINT NOT NULL, PRIMARY KEY (id, w))",
        "INSERT INTO floor_cells SELECT g, w, 0 FROM generate_series(0, " + (Fixtures.SUBJECTS - 1)
            + ") g CROSS JOIN generate_series(1, " + WINDOWS + ") w",
        "VACUUM ANALYZE floor_counter", "VACUUM ANALYZE floor_cells");
    limits = limits();
    policy = Fixtures.policy(limits);
    limiter = Limiter.builder(JdbcUsageCounter.builder(pool).createSchemaIfMissing(true)
        .maxConcurrentBatches(Integer.getInteger(BATCHES_PROPERTY, 2)).build()).clock(Fixtures.CLOCK).build();
    PostgreSQLSelectForUpdateBasedProxyManager<Long> proxies = Bucket4jPostgreSQL.selectForUpdateBasedBuilder(pool)
        .clientClock(Fixtures.fixedTime()).build();
    BucketConfiguration configuration = Fixtures.bucketConfiguration(limits);
    requests = new LimitRequest[Fixtures.SUBJECTS];
    buckets = new Bucket[Fixtures.SUBJECTS];
    for (int i = 0; i < Fixtures.SUBJECTS; i++) {
      requests[i] = LimitRequest.of(Fixtures.subject(i)).amount(Fixtures.MESSAGES, 1);
      buckets[i] = proxies.builder().build((long) i, () -> configuration);
    }
    // Each subject's rows exist before measuring, as in a running system: the first subject is consumed once,
    // then its rows are copied to the others (the same as consuming each once; the counts say so).
    int last = Fixtures.SUBJECTS - 1;
    if (benchmark.endsWith(".limits")) {
      limits(0);
      if (!oneSubject) {
        copyFirstSubjectsRows(pool);
        limitsAllowed.add(last);
      }
    } else if (benchmark.endsWith(".bucket4j")) {
      bucket4j(0);
      if (!oneSubject) {
        Db.exec(pool, "INSERT INTO bucket (id, state) SELECT g, b.state FROM generate_series(1, " + last
            + ") g CROSS JOIN bucket b WHERE b.id = 0", "VACUUM ANALYZE bucket");
        bucketAllowed.add(last);
      }
    }
  }

  /** Copies the counter rows of the first subject to every other one: as if each had consumed once. */
  static void copyFirstSubjectsRows(DataSource pool) {
    Db.exec(pool, "INSERT INTO limits_counter (subject, counter_key, bucket_ms, lookback, period_start, "
        + "period_end, used, earlier_starts, earlier_used, expires_at) "
        + "SELECT 'user-' || lpad(g::text, 5, '0'), c.counter_key, c.bucket_ms, c.lookback, c.period_start, "
        + "c.period_end, c.used, c.earlier_starts, c.earlier_used, c.expires_at "
        + "FROM generate_series(1, " + (Fixtures.SUBJECTS - 1) + ") g CROSS JOIN limits_counter c WHERE c.subject = '"
        + Fixtures.subject(0) + "'", "VACUUM ANALYZE limits_counter");
  }

  int pick(Cursor cursor) {
    return oneSubject ? 0 : cursor.next();
  }

  /** Our consume: {@link Limiter#consume} over {@link JdbcUsageCounter}. */
  @Benchmark
  public Decision limits(Cursor cursor) {
    return limits(pick(cursor));
  }

  private Decision limits(int i) {
    Decision d = limiter.consume(policy, requests[i]);
    (d.isAllowed() ? limitsAllowed : limitsDenied).increment();
    return d;
  }

  /** Bucket4j's select-for-update proxy manager: {@code tryConsume(1)} on the subject's bucket. */
  @Benchmark
  public boolean bucket4j(Cursor cursor) {
    return bucket4j(pick(cursor));
  }

  private boolean bucket4j(int i) {
    boolean allowed = buckets[i].tryConsume(1);
    (allowed ? bucketAllowed : bucketDenied).increment();
    return allowed;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    try {
      CpuTimeProfiler.excluded(this::check);
    } finally {
      CpuTimeProfiler.serverStopping();
      CpuTimeProfiler.excluded(() -> {
        pool.close();
        server.close();
      });
    }
  }

  /** Throws unless the database holds exactly the allowed decisions, within every limit. */
  void check() {
    long allowed = limitsAllowed.sum();
    Exact.counters(limiter, policy, pool, oneSubject, allowed);
    LongAdder bucketUsed = new LongAdder();
    if (bucketAllowed.sum() + bucketDenied.sum() > 0) {
      // The hour's limit is the smallest: available tokens are the capacity minus what was consumed.
      long capacity = limits[0];
      Db.parallel(oneSubject ? 1 : Fixtures.SUBJECTS, i -> {
        long available = buckets[i].getAvailableTokens();
        Exact.expect(available >= 0 ? 1 : 0, 1, "bucket4j: OVERSHOOT, " + available + " tokens");
        bucketUsed.add(capacity - available);
      });
    }
    Exact.expect(bucketUsed.sum(), bucketAllowed.sum(), "bucket4j: consumed tokens");
    Exact.expect(Db.queryLong(pool, "SELECT SUM(used) FROM floor_counter"), updates.sum(), "update: rows");
    Exact.expect(Db.queryLong(pool, "SELECT SUM(used) FROM floor_cells"), cellUpdates.sum(), "update6: rows");
    System.out.printf("%ncheck passed (%s): limits %d allowed, %d denied; bucket4j %d allowed, %d denied; "
        + "update %d rows; update6 %d rows%n", oneSubject ? "hot" : "spread", allowed, limitsDenied.sum(),
        bucketAllowed.sum(), bucketDenied.sum(), updates.sum(), cellUpdates.sum());
  }

  /** Forgets the hot subject's rows on both sides and the counts (the hot-limit benchmark's iterations). */
  void resetHotSubject() {
    Db.exec(pool, "DELETE FROM limits_counter WHERE subject = '" + Fixtures.subject(0) + "'",
        "DELETE FROM bucket WHERE id = 0");
    for (LongAdder a : new LongAdder[] {limitsAllowed, limitsDenied, bucketAllowed, bucketDenied, updates,
        cellUpdates}) {
      a.reset();
    }
  }

  long limitsAllowed() {
    return limitsAllowed.sum();
  }

  long limitsDenied() {
    return limitsDenied.sum();
  }

  long bucketAllowed() {
    return bucketAllowed.sum();
  }

  long bucketDenied() {
    return bucketDenied.sum();
  }

}
