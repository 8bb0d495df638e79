package dev.limits.benchmarks;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * Ours against Bucket4j on PostgreSQL ({@link PostgresBase}), with two floors through the same pool:
 * {@code update}, an autocommitted {@code UPDATE floor_counter SET used = used + 1 WHERE id = ?} (a round trip
 * and a commit) on the same ids as the subjects, and {@code select1}, {@code SELECT 1} (a round trip). Limits
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
    try (Connection c = pool.getConnection();
         PreparedStatement ps = c.prepareStatement("UPDATE floor_counter SET used = used + 1 WHERE id = ?")) {
      ps.setInt(1, pick(cursor));
      int n = ps.executeUpdate();
      updates.add(n);
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
