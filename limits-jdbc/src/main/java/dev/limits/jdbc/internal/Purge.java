package dev.limits.jdbc.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The steps of a purge, each on one connection whose transaction the caller owns: deleting cells that
 * stopped counting, finding expired operation ids, and forgetting one of them (refunding its reservation if
 * it was never settled). Several purgers may run at once: each step rechecks under a lock what it deletes.
 */
final class Purge {

  private final Sql sql;
  private final OperationRows operations;
  private final Settlement settlement;

  Purge(Sql sql, OperationRows operations, Settlement settlement) {
    this.sql = sql;
    this.operations = operations;
    this.settlement = settlement;
  }

  /**
   * Deletes up to {@code max} cells that stopped counting before {@code now}; returns how many, and in
   * {@code fetched[0]} how many candidates it found (others may delete some of them first).
   */
  int purgeCells(Connection c, long now, int max, int[] fetched) throws SQLException {
    List<String[]> candidates = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql.expiredCells())) {
      ps.setLong(1, now);
      ps.setInt(2, max);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          candidates.add(new String[] {rs.getString(1), rs.getString(2)});
        }
      }
    }
    fetched[0] = candidates.size();
    int deleted = 0;
    try (PreparedStatement ps = c.prepareStatement(sql.deleteExpiredCell())) {
      for (String[] cell : candidates) {
        ps.setString(1, cell[0]);
        ps.setString(2, cell[1]);
        ps.setLong(3, now);
        deleted += ps.executeUpdate();
      }
    }
    return deleted;
  }

  /** Up to {@code max} operation ids remembered until before {@code now}, as (subject, id) pairs. */
  List<String[]> expiredOperations(Connection c, long now, int max) throws SQLException {
    List<String[]> result = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql.expiredOperations())) {
      ps.setLong(1, now);
      ps.setInt(2, max);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          result.add(new String[] {rs.getString(1), rs.getString(2)});
        }
      }
    }
    return result;
  }

  /**
   * Forgets one expired operation id, first refunding its reservation, in the cells of every subject it
   * charged, if it was never settled. The row lock on the operation makes the refund happen exactly once,
   * however many purgers run.
   *
   * @return whether this call forgot it
   */
  boolean purgeOperation(Connection c, String subject, String id, long now) throws SQLException {
    OperationRows.Locked op = operations.lock(c, subject, id);
    if (op == null || op.expiresAt() >= now) {
      return false;
    }
    settlement.forget(c, subject, id, op.state());
    return true;
  }
}
