package dev.limits.jdbc.internal;

import dev.limits.jdbc.internal.CellRows.CellKey;
import dev.limits.spi.Charge;
import dev.limits.spi.ConsumeRequest;
import dev.limits.spi.ConsumeRequest.Mode;
import dev.limits.spi.ConsumeResult;
import dev.limits.spi.ConsumeResult.Status;
import dev.limits.spi.Slot;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The transaction script of one consume, on a connection whose transaction the caller owns: a lock-free
 * read (clear denials and checks never lock), then the cells of every subject the request charges locked in
 * the one order of {@link CellRows}, checked again, and written together with the operation id and the
 * holds of a reservation. Run by the client on MariaDB and MySQL, inside the engine on H2.
 */
final class ConsumeScript {

  private final CellRows rows;
  private final OperationRows operations;
  private final Settlement settlement;

  ConsumeScript(CellRows rows, OperationRows operations, Settlement settlement) {
    this.rows = rows;
    this.operations = operations;
    this.settlement = settlement;
  }

  /**
   * Carries out a consume on {@code c}. The caller commits afterwards (or, when this throws, rolls back).
   *
   * @return the result, or null when the operation id was taken meanwhile (not in the engine): the caller
   *     then rolls back and answers {@link #duplicate(Connection, ConsumeRequest)}
   */
  @Nullable ConsumeResult consume(Connection c, ConsumeRequest request) throws SQLException {
    List<Charge> charges = request.charges();
    int n = charges.size();
    Mode mode = request.mode();
    CellKey[] cellOf = cellsOf(request);
    SortedMap<String, SortedMap<String, Slot>> slots = slotsBySubject(request);

    // A lock-free look first: clear denials and checks never lock a row.
    Map<CellKey, CellState> seen = rows.read(c, keys(slots), false);
    Status repeated = request.operationId() == null ? null : operations.repeated(c, request);
    if (repeated != null) {
      return duplicate(charges, cellOf, seen, repeated);
    }
    long[] used = new long[n];
    boolean[] fits = new boolean[n];
    boolean allFit = evaluate(charges, cellOf, seen, used, fits);
    if (mode == Mode.CHECK) {
      return ConsumeResult.of(allFit ? Status.APPLIED : Status.DENIED, used, fits);
    }
    if (!allFit && (mode == Mode.ENFORCE || mode == Mode.RESERVE)) {
      return ConsumeResult.of(Status.DENIED, used, fits);
    }

    Map<CellKey, CellState> cells = rows.lock(c, slots, seen, mode != Mode.REFUND);
    allFit = evaluate(charges, cellOf, cells, used, fits);
    if (!allFit && (mode == Mode.ENFORCE || mode == Mode.RESERVE)) {
      repeated = request.operationId() == null ? null : operations.repeated(c, request);
      if (repeated != null) {
        return duplicate(charges, cellOf, cells, repeated);
      }
      return ConsumeResult.of(Status.DENIED, used, fits);
    }
    if (request.operationId() != null) {
      try {
        operations.insert(c, request);
      } catch (OperationRows.Taken e) {
        return null;
      }
    }

    long[] chargedStarts = new long[n];
    Map<CellKey, CellState> written = new HashMap<>();
    for (int i = 0; i < n; i++) {
      Charge charge = charges.get(i);
      Slot slot = charge.slot();
      CellState cell = live(cells.get(cellOf[i]));
      if (mode == Mode.REFUND) {
        if (cell != null) {
          cell.subtract(slot.start(), charge.amount());
          used[i] = cell.usedFor(slot);
          written.put(cellOf[i], cell);
        }
        continue;
      }
      if (cell == null) {
        cell = CellState.empty(slot);
        cells.put(cellOf[i], cell);
      }
      chargedStarts[i] = cell.add(slot, charge.amount(), mode != Mode.FORCE);
      used[i] = cell.usedFor(slot);
      written.put(cellOf[i], cell);
    }
    rows.update(c, written);
    if (mode == Mode.RESERVE) {
      settlement.hold(c, request, chargedStarts);
    }
    return ConsumeResult.of(Status.APPLIED, used, fits);
  }

  /**
   * Answers a request whose operation id was taken meanwhile: {@link Status#DUPLICATE}, or
   * {@link Status#MISMATCH} for another fingerprint, with the cells' usage as it stands.
   */
  ConsumeResult duplicate(Connection c, ConsumeRequest request) throws SQLException {
    Status repeated = operations.repeated(c, request);
    return duplicate(request.charges(), cellsOf(request), rows.read(c, keys(slotsBySubject(request)), false),
        repeated == null ? Status.DUPLICATE : repeated);
  }

  /** Answers a repeated operation id with {@code status} and the cells' usage as it stands. */
  private static ConsumeResult duplicate(List<Charge> charges, CellKey[] cellOf, Map<CellKey, CellState> cells,
      Status status) {
    int n = charges.size();
    long[] used = new long[n];
    boolean[] fits = new boolean[n];
    for (int i = 0; i < n; i++) {
      CellState cell = live(cells.get(cellOf[i]));
      used[i] = cell == null ? 0 : cell.usedFor(charges.get(i).slot());
      fits[i] = true;
    }
    return ConsumeResult.of(status, used, fits);
  }

  private static boolean evaluate(List<Charge> charges, CellKey[] cellOf, Map<CellKey, CellState> cells,
      long[] used, boolean[] fits) {
    boolean allFit = true;
    for (int i = 0; i < charges.size(); i++) {
      Charge charge = charges.get(i);
      CellState cell = live(cells.get(cellOf[i]));
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

  private static CellKey[] cellsOf(ConsumeRequest request) {
    CellKey[] cells = new CellKey[request.charges().size()];
    for (int i = 0; i < cells.length; i++) {
      cells[i] = new CellKey(request.subjectOf(i), request.charges().get(i).slot().key());
    }
    return cells;
  }

  /** The request's slots per subject and key. */
  private static SortedMap<String, SortedMap<String, Slot>> slotsBySubject(ConsumeRequest request) {
    SortedMap<String, SortedMap<String, Slot>> slots = new TreeMap<>();
    for (int i = 0; i < request.charges().size(); i++) {
      Slot slot = request.charges().get(i).slot();
      slots.computeIfAbsent(request.subjectOf(i), s -> new TreeMap<>()).put(slot.key(), slot);
    }
    return slots;
  }

  private static SortedMap<String, Collection<String>> keys(SortedMap<String, SortedMap<String, Slot>> slots) {
    SortedMap<String, Collection<String>> keys = new TreeMap<>();
    slots.forEach((subject, bySlot) -> keys.put(subject, bySlot.keySet()));
    return keys;
  }
}
