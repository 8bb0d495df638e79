package dev.limits.benchmarks;

import com.zaxxer.hikari.HikariDataSource;
import dev.limits.LimitPolicy;
import dev.limits.LimitRequest;
import dev.limits.Limiter;
import dev.limits.jdbc.JdbcUsageCounter;
import dev.limits.spi.Charge;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * An experiment, not a feature: what the server spends on {@code batch} consumes of the 6-window plan sent in one
 * call, spread over {@value Fixtures#SUBJECTS} subjects, in two table layouts:
 *
 * <ul>
 *   <li>{@code cells}: today's, one row per (subject, counter key), through limits-jdbc's own
 *       {@code limits_counter_consume_fast} (6 rows a consume);
 *   <li>{@code row}: one row per (subject, metric) holding the windows' period starts and usage in arrays,
 *       through a function written like it ({@link #ROW_FUNCTION}: the same pinned plan, per-row room check and
 *       all-or-nothing block; 1 row a consume).
 * </ul>
 * Each call is one statement on one connection; the CPU columns are per call (divide by {@code batch} for a
 * consume). After the trial each layout's hour counts must equal the consumes sent.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Threads(1)
@State(Scope.Benchmark)
public class PostgresLayoutProbe {

  /** The consumes in one call, as the coalescer sends concurrent callers' consumes. */
  @Param({"1", "4", "8"})
  public int batch;

  /** The row layout's table and consume function, written as {@code limits_counter_consume_fast} is. */
  static final String ROW_FUNCTION = """
      CREATE OR REPLACE FUNCTION layout_row_fast(p_subjects VARCHAR[], p_amounts BIGINT[], p_starts BIGINT[],
          p_limits BIGINT[]) RETURNS BIGINT[] LANGUAGE plpgsql
          SET plan_cache_mode = force_generic_plan SET enable_seqscan = off SET enable_hashjoin = off
          SET enable_mergejoin = off AS $$
      DECLARE
        n INT := cardinality(p_subjects);
        res BIGINT[];
        written INT;
      BEGIN
        BEGIN
          WITH c AS MATERIALIZED (
            SELECT c.sub, c.amount, c.ord FROM unnest(p_subjects, p_amounts) WITH ORDINALITY AS c(sub, amount, ord)
             ORDER BY c.sub
          ), upd AS (
            UPDATE layout_row t
               SET used = ARRAY(SELECT CASE WHEN t.starts[i] >= p_starts[i] THEN t.used[i] ELSE 0 END + c.amount
                                  FROM generate_subscripts(p_starts, 1) i ORDER BY i),
                   starts = ARRAY(SELECT GREATEST(t.starts[i], p_starts[i]) FROM generate_subscripts(p_starts, 1) i
                                   ORDER BY i)
              FROM c
             WHERE t.subject = c.sub AND t.metric = 'messages'
               AND NOT EXISTS (SELECT 1 FROM generate_subscripts(p_starts, 1) i
                                WHERE CASE WHEN t.starts[i] >= p_starts[i] THEN t.used[i] ELSE 0 END + c.amount
                                      > p_limits[i])
            RETURNING c.ord, t.used[1] - c.amount AS before
          )
          SELECT array_agg(u.before ORDER BY u.ord), count(*) INTO res, written FROM upd u;
          IF written < n THEN
            RAISE EXCEPTION USING ERRCODE = 'P0002';
          END IF;
        EXCEPTION WHEN SQLSTATE 'P0002' THEN
          RETURN ARRAY[NULL::bigint];
        END;
        RETURN 0::bigint || res;
      END
      $$""";

  private Db.Server server;
  private HikariDataSource pool;
  private Connection connection;
  private List<Charge> charges;
  private long[] starts;
  private long[] limits;
  private final LongAdder cellConsumes = new LongAdder();
  private final LongAdder rowConsumes = new LongAdder();

  @Setup(Level.Trial)
  public void setUp() {
    server = Db.profiledPostgres();
    CpuTimeProfiler.excluded(this::prepare);
  }

  private void prepare() {
    pool = Db.pool(server.url());
    Db.exec(pool, "DROP TABLE IF EXISTS limits_counter, limits_operation, limits_hold, layout_row",
        "CREATE TABLE layout_row (subject VARCHAR(191), metric VARCHAR(200), starts BIGINT[] NOT NULL,"
            + " used BIGINT[] NOT NULL, PRIMARY KEY (subject, metric))", ROW_FUNCTION);
    LimitPolicy policy = Fixtures.policy(PostgresBase.WINDOWS, Fixtures.LARGE);
    Limiter limiter = Limiter.builder(JdbcUsageCounter.builder(pool).createSchemaIfMissing(true).build())
        .clock(Fixtures.CLOCK).build();
    limiter.consume(policy, LimitRequest.of(Fixtures.subject(0)).amount(Fixtures.MESSAGES, 1));
    PostgresBase.copyFirstSubjectsRows(pool);
    charges = Fixtures.charges(policy);
    starts = new long[charges.size()];
    limits = new long[charges.size()];
    for (int i = 0; i < charges.size(); i++) {
      starts[i] = charges.get(i).slot().start();
      limits[i] = charges.get(i).limit();
    }
    // every subject has consumed once, as in today's table
    Db.exec(pool, "INSERT INTO layout_row SELECT 'user-' || lpad(g::text, 5, '0'), 'messages', ARRAY"
        + java.util.Arrays.toString(starts) + "::bigint[], array_fill(1::bigint, ARRAY[" + starts.length + "])"
        + " FROM generate_series(0, " + (Fixtures.SUBJECTS - 1) + ") g", "VACUUM ANALYZE layout_row");
    try {
      connection = pool.getConnection();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Today's layout: {@code batch} consumes, 6 cells each, in one {@code limits_counter_consume_fast}. */
  @Benchmark
  public Object cells(Cursor cursor) throws SQLException {
    int n = charges.size();
    String[] subjects = new String[batch * n];
    String[] keys = new String[batch * n];
    long[] s = new long[batch * n];
    long[] e = new long[batch * n];
    long[] totals = new long[batch * n];
    long[] rooms = new long[batch * n];
    for (int r = 0; r < batch; r++) {
      String subject = Fixtures.subject(cursor.next());
      for (int k = 0; k < n; k++) {
        int i = r * n + k;
        Charge c = charges.get(k);
        subjects[i] = subject;
        keys[i] = c.slot().key();
        s[i] = c.slot().start();
        e[i] = c.slot().end();
        totals[i] = 1;
        rooms[i] = c.limit() - 1;
      }
    }
    Object answer = call("SELECT limits_counter_consume_fast(?, ?, ?, ?, ?, ?)", subjects, keys, s, e, totals,
        rooms);
    cellConsumes.add(batch);
    return answer;
  }

  /** One row per (subject, metric): {@code batch} consumes, one row each, in one call. */
  @Benchmark
  public Object row(Cursor cursor) throws SQLException {
    String[] subjects = new String[batch];
    long[] amounts = new long[batch];
    for (int r = 0; r < batch; r++) {
      subjects[r] = Fixtures.subject(cursor.next());
      amounts[r] = 1;
    }
    Object answer = call("SELECT layout_row_fast(?, ?, ?, ?)", subjects, amounts, starts, limits);
    rowConsumes.add(batch);
    return answer;
  }

  /** Runs one function call; throws unless it answers status 0 (every consume written). */
  private Object call(String sql, Object... parameters) throws SQLException {
    try (PreparedStatement ps = connection.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) {
        ps.setObject(i + 1, parameters[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        Array array = rs.getArray(1);
        Object[] values = (Object[]) array.getArray();
        if (values[0] == null || ((Number) values[0]).longValue() != 0) {
          throw new IllegalStateException(sql + " did not write: " + java.util.Arrays.toString(values));
        }
        return values;
      }
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    try {
      CpuTimeProfiler.excluded(() -> {
        // every subject started at 1 in both layouts
        Exact.expect(Db.queryLong(pool, "SELECT SUM(used) FROM limits_counter WHERE counter_key = '"
            + charges.get(0).slot().key() + "'") - Fixtures.SUBJECTS, cellConsumes.sum(), "cells: hour counts");
        Exact.expect(Db.queryLong(pool, "SELECT SUM(used[1]) FROM layout_row") - Fixtures.SUBJECTS,
            rowConsumes.sum(), "row: hour counts");
      });
    } finally {
      CpuTimeProfiler.serverStopping();
      CpuTimeProfiler.excluded(() -> {
        try {
          connection.close();
        } catch (SQLException e) {
          throw new IllegalStateException(e);
        }
        pool.close();
        server.close();
      });
    }
  }
}
