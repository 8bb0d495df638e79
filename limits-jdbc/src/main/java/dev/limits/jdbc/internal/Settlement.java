package dev.limits.jdbc.internal;

import dev.limits.jdbc.internal.CellRows.CellKey;
import dev.limits.spi.ConsumeRequest;
import dev.limits.spi.SettleRequest;
import dev.limits.spi.SettleResult;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reservations on one connection whose transaction the caller owns: the holds a reservation writes (each
 * charge with the subject and the bucket it went to), its settlement to final amounts, and the refund of
 * one that expired unsettled. Each adjusts the cells of every subject the reservation charged, exactly once:
 * the operation row is locked first, and its state says whether the holds are still to be applied.
 */
final class Settlement {

  /** One held charge: the subject and cell it went to, its amount and the bucket it was counted in. */
  private record Hold(String subject, String key, long amount, long chargedStart) {}

  private final Sql sql;
  private final CellRows cells;
  private final OperationRows operations;

  Settlement(Sql sql, CellRows cells, OperationRows operations) {
    this.sql = sql;
    this.cells = cells;
    this.operations = operations;
  }

  /** Writes the holds of an applied reservation, charge {@code i} counted in {@code chargedStarts[i]}. */
  void hold(Connection c, ConsumeRequest request, long[] chargedStarts) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql.insertHold())) {
      for (int i = 0; i < chargedStarts.length; i++) {
        ps.setString(1, request.subject());
        ps.setString(2, request.operationId());
        ps.setInt(3, i);
        ps.setString(4, request.charges().get(i).slot().key());
        ps.setLong(5, request.charges().get(i).amount());
        ps.setLong(6, chargedStarts[i]);
        ps.setString(7, request.subjectOf(i));
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  /** Settles a reservation; the caller commits, or rolls back when this throws. */
  SettleResult settle(Connection c, SettleRequest request) throws SQLException {
    String subject = request.subject();
    String id = request.operationId();
    OperationRows.Locked op = operations.lock(c, subject, id);
    if (op == null || op.state() == OperationState.APPLIED) {
      return SettleResult.NOT_FOUND;
    }
    if (op.state() == OperationState.COMMITTED) {
      return SettleResult.ALREADY_SETTLED;
    }
    if (op.state() == OperationState.CANCELLED) {
      return SettleResult.CANCELLED;
    }
    List<Hold> holds = readHolds(c, subject, id);
    if (holds.size() != request.size()) {
      throw new IllegalArgumentException(String.format("reservation '%s' has %s charges, got %s final amounts",
          id, holds.size(), request.size()));
    }
    apply(c, holds, request.finalAmounts());
    operations.setState(c, subject, id, request.isCancel() ? OperationState.CANCELLED : OperationState.COMMITTED);
    deleteHolds(c, subject, id);
    return SettleResult.SETTLED;
  }

  /**
   * Forgets a locked operation row that expired, first refunding its reservation if it is still held.
   */
  void forget(Connection c, String subject, String id, OperationState state) throws SQLException {
    if (state == OperationState.HELD) {
      List<Hold> holds = readHolds(c, subject, id);
      apply(c, holds, new long[holds.size()]);
    }
    deleteHolds(c, subject, id);
    operations.delete(c, subject, id);
  }

  private List<Hold> readHolds(Connection c, String subject, String id) throws SQLException {
    List<Hold> holds = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql.readHolds())) {
      ps.setString(1, subject);
      ps.setString(2, id);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          holds.add(new Hold(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4)));
        }
      }
    }
    return holds;
  }

  private void deleteHolds(Connection c, String subject, String id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql.deleteHolds())) {
      ps.setString(1, subject);
      ps.setString(2, id);
      ps.executeUpdate();
    }
  }

  /**
   * Moves each held charge to its final amount in the bucket it was charged to, if that is still kept,
   * locking the cells of every subject in the one order of {@link CellRows}.
   */
  private void apply(Connection c, List<Hold> holds, long[] finals) throws SQLException {
    if (holds.isEmpty()) {
      return;
    }
    SortedMap<String, Collection<String>> keys = new TreeMap<>();
    for (Hold hold : holds) {
      keys.computeIfAbsent(hold.subject(), s -> new TreeSet<>()).add(hold.key());
    }
    Map<CellKey, CellState> locked = cells.read(c, keys, true);
    for (int i = 0; i < holds.size(); i++) {
      Hold hold = holds.get(i);
      CellState cell = locked.get(new CellKey(hold.subject(), hold.key()));
      if (cell == null) {
        continue;
      }
      long delta = finals[i] - hold.amount();
      if (delta > 0) {
        cell.addToBucket(hold.chargedStart(), delta);
      } else if (delta < 0) {
        cell.subtract(hold.chargedStart(), -delta);
      }
    }
    cells.update(c, locked);
  }
}
