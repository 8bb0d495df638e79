package dev.limits.testkit;

import dev.limits.spi.Charge;
import dev.limits.spi.ConsumeRequest;
import dev.limits.spi.ConsumeRequest.Mode;
import dev.limits.spi.ConsumeResult.Status;
import dev.limits.spi.SettleResult;
import dev.limits.spi.Slot;
import dev.limits.spi.SlotUsage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the SPI Javadoc says one subject's store holds, written as plainly as possible: the reference that
 * {@link RandomSequenceTopic} checks a store against, step by step. Not thread-safe.
 */
final class ReferenceModel {

  final Map<String, Cell> cells = new HashMap<>();
  final Map<String, Long> ids = new HashMap<>();
  /** What each remembered id was used for: its mode's family and its charges' amounts by key. */
  final Map<String, String> purposes = new HashMap<>();
  final Map<String, Reservation> reservations = new HashMap<>();
  /** Ids of settled reservations that purge forgot: settling them again may answer either way. */
  final Set<String> forgottenSettled = new HashSet<>();

  long current(Slot slot) {
    Cell cell = cells.get(slot.key());
    return cell == null ? 0 : cell.usedFor(slot);
  }

  /** Returns the expected result; the arrays are filled. */
  Status consume(ConsumeRequest request, long[] used, boolean[] fits) {
    List<Charge> charges = request.charges();
    String id = request.operationId();
    boolean allFit = true;
    for (int i = 0; i < charges.size(); i++) {
      used[i] = current(charges.get(i).slot());
      fits[i] = charges.get(i).fits(used[i]);
      allFit &= fits[i];
    }
    if (id != null && ids.containsKey(id)) {
      return purpose(request).equals(purposes.get(id)) ? Status.DUPLICATE : Status.MISMATCH;
    }
    Mode mode = request.mode();
    if (mode == Mode.CHECK) {
      return allFit ? Status.APPLIED : Status.DENIED;
    }
    if (!allFit && (mode == Mode.ENFORCE || mode == Mode.RESERVE)) {
      return Status.DENIED;
    }
    long[] chargedStarts = new long[charges.size()];
    for (int i = 0; i < charges.size(); i++) {
      Charge charge = charges.get(i);
      Slot slot = charge.slot();
      Cell cell = cells.get(slot.key());
      if (mode == Mode.REFUND) {
        if (cell != null) {
          cell.change(slot.start(), -charge.amount());
        }
      } else if (cell != null && slot.start() < cell.newest && mode == Mode.FORCE) {
        cell.change(slot.start(), charge.amount()); // dropped unless that bucket still counts
      } else {
        if (cell == null) {
          cell = new Cell(slot);
          cells.put(slot.key(), cell);
        }
        chargedStarts[i] = cell.target(slot);
        cell.add(slot, chargedStarts[i], charge.amount());
      }
      used[i] = current(slot);
    }
    if (id != null) {
      ids.put(id, request.expiresAt());
      purposes.put(id, purpose(request));
      forgottenSettled.remove(id);
      if (mode == Mode.RESERVE) {
        reservations.put(id, new Reservation(charges, chargedStarts, request.expiresAt()));
      }
    }
    return Status.APPLIED;
  }

  SettleResult settle(String id, long[] finals) {
    Reservation reservation = reservations.get(id);
    if (reservation == null) {
      return SettleResult.NOT_FOUND;
    }
    if (reservation.settled) {
      return reservation.cancelled ? SettleResult.CANCELLED : SettleResult.ALREADY_SETTLED;
    }
    applySettlement(reservation, finals);
    reservation.cancelled = Arrays.stream(finals).allMatch(amount -> amount == 0);
    return SettleResult.SETTLED;
  }

  /** Whether two requests with one id are the same: their kind (count, reserve, refund) and charges. */
  static String purpose(ConsumeRequest request) {
    Mode mode = request.mode();
    Map<String, Long> amounts = new TreeMap<>();
    for (Charge charge : request.charges()) {
      amounts.put(charge.slot().key(), charge.amount());
    }
    return (mode == Mode.RESERVE || mode == Mode.REFUND ? mode.name() : "COUNT") + amounts;
  }

  private void applySettlement(Reservation reservation, long[] finals) {
    for (int i = 0; i < finals.length; i++) {
      Charge charge = reservation.charges.get(i);
      Cell cell = cells.get(charge.slot().key());
      if (cell != null) {
        cell.change(reservation.chargedStarts[i], finals[i] - charge.amount());
      }
    }
    reservation.settled = true;
  }

  void purge(long now) {
    for (Iterator<Map.Entry<String, Reservation>> it = reservations.entrySet().iterator();
         it.hasNext(); ) {
      Map.Entry<String, Reservation> e = it.next();
      Reservation reservation = e.getValue();
      if (reservation.expiresAt < now) {
        if (reservation.settled) {
          forgottenSettled.add(e.getKey());
        } else {
          applySettlement(reservation, new long[reservation.charges.size()]);
        }
        it.remove();
      }
    }
    cells.values().removeIf(cell -> cell.keptUntil() <= now);
    ids.values().removeIf(expiresAt -> expiresAt < now);
    purposes.keySet().retainAll(ids.keySet());
  }

  /**
   * The snapshot at {@code now}; for rolling cells with {@code used} -1, as the Javadoc leaves open
   * whether it sums the buckets kept or those counting at {@code now}.
   */
  List<SlotUsage> snapshot(long now) {
    List<SlotUsage> result = new ArrayList<>();
    cells.forEach((key, cell) -> {
      if (cell.countsUntil() > now) {
        result.add(new SlotUsage(key, cell.newest, cell.lookback > 0 ? -1 : cell.buckets.get(cell.newest)));
      }
    });
    return result;
  }

  /** Adds two amounts of zero or more, saturating at {@link Long#MAX_VALUE}. */
  static long saturatedAdd(long a, long b) {
    long sum = a + b;
    return sum < 0 ? Long.MAX_VALUE : sum;
  }

  /**
   * One stored cell of the model: its buckets by start, the newest first written. A calendar or lifetime
   * cell is a rolling one without lookback: only its newest bucket counts.
   */
  static final class Cell {
    final long length;
    final int lookback;
    final Map<Long, Long> buckets = new HashMap<>();
    long newest;
    long newestEnd;

    Cell(Slot slot) {
      this.length = slot.length();
      this.lookback = slot.lookback();
      this.newest = slot.start();
      this.newestEnd = slot.end();
    }

    /** Whether bucket {@code start} was written and still counts against the newest one. */
    boolean holds(long start) {
      return buckets.containsKey(start) && start >= newest - lookback * length;
    }

    /**
     * The usage counting against {@code slot}: a calendar or lifetime cell's unless it ended at or before the
     * slot's start; for a rolling cell, a newer stored bucket wins.
     */
    long usedFor(Slot slot) {
      if (lookback == 0) {
        return slot.counts(newestEnd) ? buckets.getOrDefault(newest, 0L) : 0;
      }
      long reference = Math.max(slot.start(), newest);
      return sumFrom(reference);
    }

    private long sumFrom(long reference) {
      long sum = 0;
      for (Map.Entry<Long, Long> e : buckets.entrySet()) {
        if (e.getKey() <= reference && e.getKey() >= reference - lookback * length) {
          sum = saturatedAdd(sum, e.getValue());
        }
      }
      return sum;
    }

    /** The bucket a write for {@code slot} goes to: for a calendar cell, the stored one if it counts. */
    long target(Slot slot) {
      return lookback == 0 && slot.counts(newestEnd) ? newest : Math.max(slot.start(), newest);
    }

    /**
     * Adds to the bucket {@code start}, the newest or a new one, resetting what stopped counting; a calendar
     * cell written into extends to the slot's end.
     */
    void add(Slot slot, long start, long amount) {
      if (start > newest) {
        newest = start;
        newestEnd = start == slot.start() ? slot.end() : start + length;
        buckets.keySet().removeIf(bucket -> bucket < newest - lookback * length);
      } else if (lookback == 0) {
        newestEnd = Math.max(newestEnd, slot.end());
      }
      buckets.merge(start, amount, ReferenceModel::saturatedAdd);
    }

    void change(long start, long delta) {
      if (holds(start)) {
        long used = buckets.getOrDefault(start, 0L);
        buckets.put(start, delta >= 0 ? saturatedAdd(used, delta) : Math.max(0, used + delta));
      }
    }

    /** Until when usage of the newest bucket still counts. */
    long countsUntil() {
      return saturatedAdd(newestEnd, lookback * length);
    }

    /** Until when a store keeps the cell: a calendar cell until no slot of any zone can overlap it. */
    long keptUntil() {
      return lookback == 0 ? Slot.calendarCellKeptUntil(newest, newestEnd) : countsUntil();
    }
  }

  /** A reservation of the model. */
  static final class Reservation {
    final List<Charge> charges;
    final long[] chargedStarts;
    final long expiresAt;
    boolean settled;
    boolean cancelled;

    Reservation(List<Charge> charges, long[] chargedStarts, long expiresAt) {
      this.charges = charges;
      this.chargedStarts = chargedStarts;
      this.expiresAt = expiresAt;
    }
  }
}
