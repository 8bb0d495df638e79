package dev.limits.benchmarks;

import com.zaxxer.hikari.HikariDataSource;
import dev.limits.jdbc.JdbcUsageCounter;
import dev.limits.spi.Charge;
import dev.limits.spi.ConsumeRequest;
import dev.limits.spi.ConsumeResult;
import dev.limits.spi.Slot;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Nested budgets on PostgreSQL: a consume that charges a user and the user's organisation at once
 * ({@code userAndOrganisation}) against one that charges the user alone ({@code oneSubject}), one thread,
 * spread over {@value Fixtures#SUBJECTS} users in {@value #ORGANISATIONS} organisations. The user's charges
 * are the 6 windows of {@link Fixtures} for one message; the organisation adds its shared token pool and its
 * cost budget for the month (2 more cells). Both go through {@link JdbcUsageCounter#consume} with the
 * requests built in set-up (the facade's part is the same for both, and not what is compared). Every user's
 * and organisation's rows exist before measuring, copied from the first ones' as {@link PostgresBase} does;
 * after the trial each counter must hold exactly what was allowed, or the run fails.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@State(Scope.Benchmark)
@Threads(1)
public class PostgresSubjects1Thread {

  static final int ORGANISATIONS = 100;

  private Db.Server server;
  private HikariDataSource pool;
  private JdbcUsageCounter counter;
  private ConsumeRequest[] oneSubject;
  private ConsumeRequest[] userAndOrganisation;
  private long oneAllowed;
  private long bothAllowed;

  @Setup(Level.Trial)
  public void setUp() {
    server = Db.profiledPostgres();
    CpuTimeProfiler.excluded(this::prepare);
  }

  static String organisation(int user) {
    return String.format("org-%03d", user % ORGANISATIONS);
  }

  private void prepare() {
    pool = Db.pool(server.url());
    Db.exec(pool, "DROP TABLE IF EXISTS limits_counter, limits_operation, limits_hold");
    counter = JdbcUsageCounter.builder(pool).createSchemaIfMissing(true).build();
    List<Charge> user = Fixtures.charges(Fixtures.policy(PostgresBase.WINDOWS, Fixtures.LARGE));
    Slot month = user.get(user.size() - 1).slot(); // the plan's longest window, the month
    List<Charge> both = new ArrayList<>(user);
    both.add(new Charge(1, new Slot("pool-tokens@month", month.start(), month.end(), 0), Fixtures.LARGE, 1));
    both.add(new Charge(1, new Slot("budget-cost@month", month.start(), month.end(), 0), Fixtures.LARGE, 1));
    oneSubject = new ConsumeRequest[Fixtures.SUBJECTS];
    userAndOrganisation = new ConsumeRequest[Fixtures.SUBJECTS];
    long now = Fixtures.NOW.toEpochMilli();
    for (int i = 0; i < Fixtures.SUBJECTS; i++) {
      oneSubject[i] = new ConsumeRequest(Fixtures.subject(i), user, ConsumeRequest.Mode.ENFORCE, null, 0, now);
      userAndOrganisation[i] = new ConsumeRequest(List.of(Fixtures.subject(i), organisation(i)), both,
          ConsumeRequest.Mode.ENFORCE, null, 0, now);
    }
    // Every user's and organisation's rows exist, each holding 1: the first ones consumed once, then copied.
    expectApplied(counter.consume(userAndOrganisation[0]));
    PostgresBase.copyFirstSubjectsRows(pool);
    Db.exec(pool, "INSERT INTO limits_counter (subject, counter_key, bucket_ms, lookback, period_start, "
        + "period_end, used, earlier_starts, earlier_used, expires_at) "
        + "SELECT 'org-' || lpad(g::text, 3, '0'), c.counter_key, c.bucket_ms, c.lookback, c.period_start, "
        + "c.period_end, c.used, c.earlier_starts, c.earlier_used, c.expires_at "
        + "FROM generate_series(1, " + (ORGANISATIONS - 1) + ") g CROSS JOIN limits_counter c WHERE c.subject = '"
        + organisation(0) + "'", "VACUUM ANALYZE limits_counter");
  }

  private static ConsumeResult expectApplied(ConsumeResult result) {
    if (!result.isApplied()) {
      throw new IllegalStateException("denied: " + result.status());
    }
    return result;
  }

  /** The user's 6 windows alone. */
  @Benchmark
  public ConsumeResult oneSubject(Cursor cursor) {
    ConsumeResult result = expectApplied(counter.consume(oneSubject[cursor.next()]));
    oneAllowed++;
    return result;
  }

  /** The user's 6 windows and the organisation's token pool and cost budget, all or nothing. */
  @Benchmark
  public ConsumeResult userAndOrganisation(Cursor cursor) {
    ConsumeResult result = expectApplied(counter.consume(userAndOrganisation[cursor.next()]));
    bothAllowed++;
    return result;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    try {
      CpuTimeProfiler.excluded(() -> {
        // each user cell holds its copy's 1 plus every consume of its user; each organisation cell likewise
        long users = Db.queryLong(pool, "SELECT SUM(used) FROM limits_counter WHERE subject LIKE 'user-%'");
        Exact.expect(users, PostgresBase.WINDOWS * (Fixtures.SUBJECTS + oneAllowed + bothAllowed),
            "users' cells");
        long orgs = Db.queryLong(pool, "SELECT SUM(used) FROM limits_counter WHERE subject LIKE 'org-%'");
        Exact.expect(orgs, 2 * (ORGANISATIONS + bothAllowed), "organisations' cells");
        System.out.printf("%ncheck passed: %d consumes of one subject, %d of a user and organisation%n",
            oneAllowed, bothAllowed);
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
