package dev.limits.benchmarks;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * Ours against Bucket4j on PostgreSQL ({@link PostgresBase}), with three floors through the same pool:
 * {@code update}, an autocommitted {@code UPDATE floor_counter SET used = used + 1 WHERE id = ?} (a round trip
 * and a commit) on the same ids as the subjects; {@code update6}, the same for the 6 rows of an id in a table
 * keyed by (id, window) as ours is by (subject, counter key), the floor of any consume that writes one row per
 * window; and {@code select1}, {@code SELECT 1} (a round trip). Limits
 * are never reached ({@value Fixtures#LARGE}): the allowed path is measured. The subclasses fix the threads.
 */
@State(Scope.Benchmark)
public abstract class PostgresPeer extends PostgresBase {

  /** {@code spread}: cycle through {@value Fixtures#SUBJECTS} subjects; {@code hot}: one subject. */
  @Param({"spread", "hot"})
  public String subjects;

  @Override
  boolean hot() {
    return Fixtures.isHot(subjects);
  }

  /** The floor of a durable write: one autocommitted single-row {@code UPDATE}. */
  @Benchmark
  public int update(Cursor cursor) throws SQLException {
    return update("UPDATE floor_counter SET used = used + 1 WHERE id = ?", cursor, updates);
  }

  /**
   * The floor of a consume in our table's layout, one row per window: one autocommitted {@code UPDATE} of the
   * 6 rows of an id, found by the leading column of their primary key (id, window). On the hot id the rows are
   * first locked in window order: without that, concurrent 6-row UPDATEs of one id deadlock (the plan need not
   * visit the rows in key order), as any writer of several rows must.
   */
  @Benchmark
  public int update6(Cursor cursor) throws SQLException {
    return update(hot() ? "UPDATE floor_cells f SET used = used + 1 FROM (SELECT id, w FROM floor_cells WHERE id = ?"
        + " ORDER BY w FOR UPDATE) l WHERE f.id = l.id AND f.w = l.w"
        : "UPDATE floor_cells SET used = used + 1 WHERE id = ?", cursor, cellUpdates);
  }

  /** Runs {@code sql}, an autocommitted update by id, on the cursor's next id, and counts the rows. */
  private int update(String sql, Cursor cursor, LongAdder rows) throws SQLException {
    try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setInt(1, pick(cursor));
      int n = ps.executeUpdate();
      rows.add(n);
      return n;
    }
  }

  /** The floor of any statement: {@code SELECT 1}, one round trip. */
  @Benchmark
  public int select1() throws SQLException {
    try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT 1");
         ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
