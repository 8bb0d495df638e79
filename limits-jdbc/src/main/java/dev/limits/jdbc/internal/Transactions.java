package dev.limits.jdbc.internal;

import dev.limits.spi.Charge;
import dev.limits.spi.ConsumeRequest;
import dev.limits.spi.ConsumeRequest.Mode;
import dev.limits.spi.ConsumeResult;
import dev.limits.spi.ConsumeResult.Status;
import dev.limits.spi.SettleRequest;
import dev.limits.spi.SettleResult;
import dev.limits.spi.Slot;
import dev.limits.spi.SlotUsage;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The counter's operations as transaction scripts on one connection whose transaction the caller owns
 * (autocommit off, READ COMMITTED). Each cell row is locked with {@code SELECT ... FOR UPDATE} in key order
 * before it is changed, so concurrent operations on overlapping cells serialize and never deadlock; the
 * operation id and the holds of a reservation are written in the same transaction as the counters.
 *
 * <p>The same script runs inside H2 as the body of its consume function, where it cannot commit.
 */
public final class Transactions {

  /** A statement failed with a unique-key violation: the operation id was taken meanwhile. */
  static final class DuplicateOperation extends Exception {
    private static final long serialVersionUID = 1L;

    DuplicateOperation(SQLException cause) {
      super(cause);
    }
  }

  // The state column of the operation table.
  static final int APPLIED = 0; // an operation other than a reservation
  static final int HELD = 1; // a reservation not settled
  static final int COMMITTED = 2; // a reservation settled to amounts not all zero
  static final int CANCELLED = 3; // a reservation settled with every final amount zero

  private final Sql sql;
  private final boolean inEngine;

  /**
   * Creates the scripts.
   *
   * @param inEngine whether they run inside the database engine as the body of one statement (H2's
   *                 function). Then no SQL error is swallowed: H2 has been seen to leave a session's row
   *                 locks behind after a failed statement nested in a function call, so a unique violation
   *                 (a cell or operation id inserted concurrently) fails the whole statement, which H2 rolls
   *                 back, and the caller retries it.
   */
  public Transactions(Sql sql, boolean inEngine) {
    this.sql = sql;
    this.inEngine = inEngine;
  }

  // ---------------------------------------------------------------------------------------------- consume

  /**
   * Carries out a consume on {@code c}. The caller commits afterwards (or, when this throws, rolls back).
   *
   * @return the result, and whether the caller must roll back instead of committing
   */
  public Outcome consume(Connection c, ConsumeRequest request) throws SQLException {
    List<Charge> charges = request.charges();
    int n = charges.size();
    String subject = request.subject();
    String id = request.operationId();
    Mode mode = request.mode();
    List<String> keys = sortedKeys(charges);

    // A lock-free look first: clear denials and checks never lock a row.
    Map<String, CellState> seen = readCells(c, subject, keys, false);
    Status repeated = id == null ? null : repeated(c, request);
    if (repeated != null) {
      return Outcome.commit(duplicate(charges, seen, repeated));
    }
    long[] used = new long[n];
    boolean[] fits = new boolean[n];
    boolean allFit = evaluate(charges, seen, used, fits);
    if (mode == Mode.CHECK) {
      return Outcome.commit(ConsumeResult.of(allFit ? Status.APPLIED : Status.DENIED, used, fits));
    }
    if (!allFit && (mode == Mode.ENFORCE || mode == Mode.RESERVE)) {
      return Outcome.commit(ConsumeResult.of(Status.DENIED, used, fits));
    }

    Map<String, CellState> cells = lockCells(c, subject, charges, keys, seen, mode != Mode.REFUND);
    allFit = evaluate(charges, cells, used, fits);
    if (!allFit && (mode == Mode.ENFORCE || mode == Mode.RESERVE)) {
      repeated = id == null ? null : repeated(c, request);
      if (repeated != null) {
        return Outcome.commit(duplicate(charges, cells, repeated));
      }
      return Outcome.commit(ConsumeResult.of(Status.DENIED, used, fits));
    }
    if (id != null) {
      try {
        insertOperation(c, subject, id, mode == Mode.RESERVE ? HELD : APPLIED, request.fingerprint(),
            request.expiresAt());
      } catch (DuplicateOperation e) {
        return Outcome.operationTaken();
      }
    }

    long[] chargedStarts = new long[n];
    Map<String, CellState> written = new HashMap<>();
    for (int i = 0; i < n; i++) {
      Charge charge = charges.get(i);
      Slot slot = charge.slot();
      CellState cell = live(cells.get(slot.key()));
      if (mode == Mode.REFUND) {
        if (cell != null) {
          cell.subtract(slot.start(), charge.amount());
          used[i] = cell.usedFor(slot);
          written.put(slot.key(), cell);
        }
        continue;
      }
      if (cell == null) {
        cell = CellState.empty(slot);
        cells.put(slot.key(), cell);
      }
      chargedStarts[i] = cell.add(slot, charge.amount(), mode != Mode.FORCE);
      used[i] = cell.usedFor(slot);
      written.put(slot.key(), cell);
    }
    updateCells(c, subject, written);
    if (mode == Mode.RESERVE) {
      try (PreparedStatement ps = c.prepareStatement(sql.insertHold())) {
        for (int i = 0; i < n; i++) {
          Charge charge = charges.get(i);
          ps.setString(1, subject);
          ps.setString(2, id);
          ps.setInt(3, i);
          ps.setString(4, charge.slot().key());
          ps.setLong(5, charge.amount());
          ps.setLong(6, chargedStarts[i]);
          ps.addBatch();
        }
        ps.executeBatch();
      }
    }
    return Outcome.commit(ConsumeResult.of(Status.APPLIED, used, fits));
  }

  /**
   * Answers a request whose operation id was taken meanwhile: {@link Status#DUPLICATE}, or
   * {@link Status#MISMATCH} for another fingerprint, with the cells' usage as it stands.
   */
  public ConsumeResult duplicate(Connection c, ConsumeRequest request) throws SQLException {
    Status repeated = repeated(c, request);
    return duplicate(request.charges(),
        readCells(c, request.subject(), sortedKeys(request.charges()), false),
        repeated == null ? Status.DUPLICATE : repeated);
  }

  /** Answers a repeated operation id with {@code status} and the cells' usage as it stands. */
  private static ConsumeResult duplicate(List<Charge> charges, Map<String, CellState> cells, Status status) {
    int n = charges.size();
    long[] used = new long[n];
    boolean[] fits = new boolean[n];
    for (int i = 0; i < n; i++) {
      Slot slot = charges.get(i).slot();
      CellState cell = live(cells.get(slot.key()));
      used[i] = cell == null ? 0 : cell.usedFor(slot);
      fits[i] = true;
    }
    return ConsumeResult.of(status, used, fits);
  }

  private static boolean evaluate(List<Charge> charges, Map<String, CellState> cells, long[] used,
      boolean[] fits) {
    boolean allFit = true;
    for (int i = 0; i < charges.size(); i++) {
      Charge charge = charges.get(i);
      CellState cell = live(cells.get(charge.slot().key()));
      used[i] = cell == null ? 0 : cell.usedFor(charge.slot());
      fits[i] = charge.fits(used[i]);
      allFit &= fits[i];
    }
    return allFit;
  }

  /**
   * The cell if it was ever charged; null for no row or a placeholder. A cell whose period ended is not
   * treated as empty here: reading a period that starts at or after its end finds nothing in it anyway,
   * writing one resets it, and a caller with a lagging clock or in another zone must still count against the
   * stored period. Only purge drops it.
   */
  private static @Nullable CellState live(@Nullable CellState cell) {
    return cell == null || cell.isEmpty() ? null : cell;
  }

  private static List<String> sortedKeys(List<Charge> charges) {
    TreeSet<String> keys = new TreeSet<>();
    for (Charge charge : charges) {
      keys.add(charge.slot().key());
    }
    return new ArrayList<>(keys);
  }

  private Map<String, CellState> readCells(Connection c, String subject, List<String> keys, boolean lock)
      throws SQLException {
    Map<String, CellState> cells = new HashMap<>();
    try (PreparedStatement ps = c.prepareStatement(lock ? sql.lockCells(keys.size()) : sql.readCells(keys.size()))) {
      ps.setString(1, subject);
      for (int i = 0; i < keys.size(); i++) {
        ps.setString(i + 2, keys.get(i));
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          cells.put(rs.getString(1), cellOf(rs));
        }
      }
    }
    return cells;
  }

  /** Reads a cell from columns 2 to 8 of {@link Sql#CELL_COLUMNS}. */
  static CellState cellOf(ResultSet rs) throws SQLException {
    long periodStart = rs.getLong(4);
    if (rs.wasNull()) {
      periodStart = CellState.EMPTY;
    }
    return CellState.of(rs.getLong(2), rs.getInt(3), periodStart, rs.getLong(5), rs.getLong(6),
        rs.getString(7), rs.getString(8));
  }

  /**
   * Locks the cells in key order. Missing rows are first inserted as placeholders (when
   * {@code createMissing}) so that there is a row to lock: a lock on nothing would let two requests both
   * pass a "9 of 10" check.
   */
  private Map<String, CellState> lockCells(Connection c, String subject, List<Charge> charges, List<String> keys,
      Map<String, CellState> seen, boolean createMissing) throws SQLException {
    for (int attempt = 0; ; attempt++) {
      if (createMissing) {
        insertPlaceholders(c, subject, charges, keys, seen);
      }
      Map<String, CellState> locked = readCells(c, subject, keys, true);
      // A purge may delete a placeholder between insert and lock; then insert again.
      if (!createMissing || locked.size() == keys.size() || attempt == 3) {
        return locked;
      }
      seen = locked;
    }
  }

  private void insertPlaceholders(Connection c, String subject, List<Charge> charges, List<String> keys,
      Map<String, CellState> seen) throws SQLException {
    List<Slot> missing = new ArrayList<>();
    for (String key : keys) {
      if (!seen.containsKey(key)) {
        for (Charge charge : charges) {
          if (charge.slot().key().equals(key)) {
            missing.add(charge.slot());
            break;
          }
        }
      }
    }
    if (missing.isEmpty()) {
      return;
    }
    try (PreparedStatement ps = c.prepareStatement(sql.insertPlaceholder())) {
      for (Slot slot : missing) {
        CellState empty = CellState.empty(slot);
        ps.setString(1, subject);
        ps.setString(2, slot.key());
        ps.setLong(3, slot.length());
        ps.setInt(4, slot.lookback());
        ps.setLong(5, slot.end());
        ps.setLong(6, CellState.saturatedAdd(slot.end(), placeholderTail(empty)));
        ps.addBatch();
      }
      // On H2 a concurrent insert of the same cell makes this fail with a unique violation, and the whole
      // consume statement fails with it; the caller retries (see inEngine).
      ps.executeBatch();
    }
  }

  private static long placeholderTail(CellState cell) {
    long tail = cell.lookback() * cell.bucketMs();
    return cell.bucketMs() != 0 && tail / cell.bucketMs() != cell.lookback() ? Long.MAX_VALUE : tail;
  }

  private void updateCells(Connection c, String subject, Map<String, CellState> cells) throws SQLException {
    if (cells.isEmpty()) {
      return;
    }
    try (PreparedStatement ps = c.prepareStatement(sql.updateCell())) {
      for (Map.Entry<String, CellState> e : cells.entrySet()) {
        CellState cell = e.getValue();
        if (!cell.isDirty()) {
          continue;
        }
        ps.setLong(1, cell.bucketMs());
        ps.setInt(2, cell.lookback());
        if (cell.isEmpty()) {
          ps.setNull(3, Types.BIGINT);
        } else {
          ps.setLong(3, cell.periodStart());
        }
        ps.setLong(4, cell.periodEnd());
        ps.setLong(5, cell.used());
        ps.setString(6, cell.earlierStartsText());
        ps.setString(7, cell.earlierUsedText());
        ps.setLong(8, cell.keptUntil());
        ps.setString(9, subject);
        ps.setString(10, e.getKey());
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  /**
   * Whether the request's operation id is remembered: null if not, else {@link Status#DUPLICATE} if it was
   * used for a request with the same fingerprint, {@link Status#MISMATCH} if for another one.
   */
  private @Nullable Status repeated(Connection c, ConsumeRequest request) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql.findOperation())) {
      ps.setString(1, request.subject());
      ps.setString(2, request.operationId());
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        return rs.getLong(1) == request.fingerprint() ? Status.DUPLICATE : Status.MISMATCH;
      }
    }
  }

  private void insertOperation(Connection c, String subject, String id, int state, long fingerprint,
      long expiresAt) throws SQLException, DuplicateOperation {
    try (PreparedStatement ps = c.prepareStatement(sql.insertOperation())) {
      ps.setString(1, subject);
      ps.setString(2, id);
      ps.setInt(3, state);
      ps.setLong(4, fingerprint);
      ps.setLong(5, expiresAt);
      ps.executeUpdate();
    } catch (SQLException e) {
      if (Faults.isUniqueViolation(e) && !inEngine) {
        throw new DuplicateOperation(e);
      }
      throw e;
    }
  }

  // ----------------------------------------------------------------------------------------------- settle

  /** Settles a reservation on {@code c}; the caller commits, or rolls back when this throws. */
  public SettleResult settle(Connection c, SettleRequest request) throws SQLException {
    String subject = request.subject();
    String id = request.operationId();
    int state;
    try (PreparedStatement ps = c.prepareStatement(sql.lockOperation())) {
      ps.setString(1, subject);
      ps.setString(2, id);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return SettleResult.NOT_FOUND;
        }
        state = rs.getInt(1);
      }
    }
    if (state == APPLIED) {
      return SettleResult.NOT_FOUND;
    }
    if (state == COMMITTED) {
      return SettleResult.ALREADY_SETTLED;
    }
    if (state == CANCELLED) {
      return SettleResult.CANCELLED;
    }
    List<Hold> holds = readHolds(c, subject, id);
    if (holds.size() != request.size()) {
      throw new IllegalArgumentException(String.format("reservation '%s' has %s charges, got %s final amounts",
          id, holds.size(), request.size()));
    }
    long[] finals = request.finalAmounts();
    applySettlement(c, subject, holds, finals);
    try (PreparedStatement ps = c.prepareStatement(sql.settleOperation())) {
      ps.setInt(1, request.isCancel() ? CANCELLED : COMMITTED);
      ps.setString(2, subject);
      ps.setString(3, id);
      ps.executeUpdate();
    }
    deleteHolds(c, subject, id);
    return SettleResult.SETTLED;
  }

  private record Hold(String key, long amount, long chargedStart) {}

  private List<Hold> readHolds(Connection c, String subject, String id) throws SQLException {
    List<Hold> holds = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql.readHolds())) {
      ps.setString(1, subject);
      ps.setString(2, id);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          holds.add(new Hold(rs.getString(1), rs.getLong(2), rs.getLong(3)));
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

  /** Moves each held charge to its final amount in the bucket it was charged to, if that is still kept. */
  private void applySettlement(Connection c, String subject, List<Hold> holds, long[] finals)
      throws SQLException {
    TreeSet<String> keySet = new TreeSet<>();
    for (Hold hold : holds) {
      keySet.add(hold.key());
    }
    if (keySet.isEmpty()) {
      return;
    }
    Map<String, CellState> cells = readCells(c, subject, new ArrayList<>(keySet), true);
    for (int i = 0; i < holds.size(); i++) {
      Hold hold = holds.get(i);
      CellState cell = cells.get(hold.key());
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
    updateCells(c, subject, cells);
  }

  // ---------------------------------------------------------------------------------- snapshot and purge

  /** The live cells of a subject at {@code now}. */
  public List<SlotUsage> snapshot(Connection c, String subject, long now) throws SQLException {
    List<SlotUsage> result = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql.snapshot())) {
      ps.setString(1, subject);
      ps.setLong(2, now);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          CellState cell = cellOf(rs);
          if (!cell.expiredAt(now)) {
            result.add(new SlotUsage(rs.getString(1), cell.periodStart(), cell.usedAt(now)));
          }
        }
      }
    }
    return result;
  }

  /**
   * Deletes up to {@code max} cells that stopped counting before {@code now}; returns how many, and in
   * {@code fetched[0]} how many candidates it found (others may delete some of them first).
   */
  public int purgeCells(Connection c, long now, int max, int[] fetched) throws SQLException {
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
  public List<String[]> expiredOperations(Connection c, long now, int max) throws SQLException {
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
   * Forgets one expired operation id, first refunding its reservation if it was never settled. The row
   * lock on the operation makes the refund happen exactly once, however many purgers run.
   *
   * @return whether this call forgot it
   */
  public boolean purgeOperation(Connection c, String subject, String id, long now) throws SQLException {
    int state;
    try (PreparedStatement ps = c.prepareStatement(sql.lockOperation())) {
      ps.setString(1, subject);
      ps.setString(2, id);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next() || rs.getLong(2) >= now) {
          return false;
        }
        state = rs.getInt(1);
      }
    }
    if (state == HELD) {
      List<Hold> holds = readHolds(c, subject, id);
      applySettlement(c, subject, holds, new long[holds.size()]);
    }
    deleteHolds(c, subject, id);
    try (PreparedStatement ps = c.prepareStatement(sql.deleteOperation())) {
      ps.setString(1, subject);
      ps.setString(2, id);
      ps.executeUpdate();
    }
    return true;
  }

  /** A result and what to do with the transaction. {@code result} null means: answer a duplicate. */
  public record Outcome(@Nullable ConsumeResult result, boolean rollback) {
    static Outcome commit(ConsumeResult result) {
      return new Outcome(result, false);
    }

    /** The operation id was taken meanwhile: no result; the caller rolls back and answers a duplicate. */
    static Outcome operationTaken() {
      return new Outcome(null, true);
    }
  }
}
