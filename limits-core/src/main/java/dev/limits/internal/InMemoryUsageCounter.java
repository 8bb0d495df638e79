package dev.limits.internal;

import dev.limits.spi.Charge;
import dev.limits.spi.ConsumeRequest;
import dev.limits.spi.ConsumeRequest.Mode;
import dev.limits.spi.ConsumeResult;
import dev.limits.spi.SettleRequest;
import dev.limits.spi.SettleResult;
import dev.limits.spi.Slot;
import dev.limits.spi.SlotUsage;
import dev.limits.spi.UsageCounter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link UsageCounter} in this JVM's memory.
 *
 * <p>Each subject's cells sit behind that subject's own lock, so operations on different subjects never
 * wait for each other and an operation on one subject is atomic across all its windows. Memory stays
 * bounded: a cell whose period ended is reset in place when next written, and every {@value #PURGE_EVERY}
 * operations a bounded purge drops ended cells and idle subjects and refunds expired reservations.
 */
public final class InMemoryUsageCounter implements UsageCounter {

  static final int PURGE_EVERY = 1 << 16;
  private static final int PURGE_BATCH = 10_000;

  private final ConcurrentHashMap<String, SubjectState> subjects = new ConcurrentHashMap<>();
  private final AtomicLong operations = new AtomicLong();

  @Override
  public ConsumeResult consume(ConsumeRequest request) {
    Objects.requireNonNull(request, "request");
    maybePurge(request.now());
    while (true) {
      SubjectState state = subjects.computeIfAbsent(request.subject(), s -> new SubjectState());
      synchronized (state) {
        if (!state.removed) {
          return state.consume(request);
        }
      }
    }
  }

  @Override
  public SettleResult settle(SettleRequest request) {
    Objects.requireNonNull(request, "request");
    SubjectState state = subjects.get(request.subject());
    if (state == null) {
      return SettleResult.NOT_FOUND;
    }
    synchronized (state) {
      return state.removed ? SettleResult.NOT_FOUND : state.settle(request);
    }
  }

  @Override
  public List<SlotUsage> snapshot(String subject, long now) {
    ConsumeRequest.requireSubject(subject);
    SubjectState state = subjects.get(subject);
    if (state == null) {
      return List.of();
    }
    synchronized (state) {
      List<SlotUsage> result = new ArrayList<>();
      for (Map.Entry<String, Cell> e : state.cells.entrySet()) {
        Cell cell = e.getValue();
        if (!cell.expiredAt(now)) {
          result.add(new SlotUsage(e.getKey(), cell.newestStart(), cell.usedAt(now)));
        }
      }
      return result;
    }
  }

  @Override
  public int purge(long now, int maxItems) {
    Checks.requireArgument(maxItems >= 1, "maxItems must be at least 1, got %s", maxItems);
    int handled = 0;
    for (Iterator<Map.Entry<String, SubjectState>> it = subjects.entrySet().iterator();
         it.hasNext() && handled < maxItems; ) {
      Map.Entry<String, SubjectState> entry = it.next();
      SubjectState state = entry.getValue();
      synchronized (state) {
        handled += state.purge(now, maxItems - handled);
        if (state.isEmpty()) {
          // Not an item of the purge contract: counting it could report more than maxItems.
          state.removed = true;
          // Only this state: a concurrent purge may already have removed it and a consume put a new one in
          // its place, which Iterator.remove() would drop with its usage.
          subjects.remove(entry.getKey(), state);
        }
      }
    }
    return handled;
  }

  /** The number of subjects currently held; for tests of bounded memory. */
  public int subjectCount() {
    return subjects.size();
  }

  private void maybePurge(long now) {
    if ((operations.incrementAndGet() & (PURGE_EVERY - 1)) == 0) {
      purge(now, PURGE_BATCH);
    }
  }

  /** The cells and operations of one subject; guarded by its own monitor. */
  private static final class SubjectState {
    final HashMap<String, Cell> cells = new HashMap<>(8);
    final HashMap<String, Operation> operations = new HashMap<>(0);
    boolean removed;

    ConsumeResult consume(ConsumeRequest request) {
      List<Charge> charges = request.charges();
      int n = charges.size();
      String id = request.operationId();
      if (id != null) {
        Operation previous = operations.get(id);
        if (previous != null) {
          return duplicate(charges);
        }
      }
      Mode mode = request.mode();
      Cell[] touched = new Cell[n];
      long[] used = new long[n];
      boolean[] fits = new boolean[n];
      boolean allFit = true;
      for (int i = 0; i < n; i++) {
        Charge charge = charges.get(i);
        // A cell whose period ended stays until a write resets it or purge drops it: a read in a later period
        // must not reset it, since an instance with a lagging clock may still count against that period.
        Cell cell = cells.get(charge.slot().key());
        touched[i] = cell;
        long current = cell == null ? 0 : cell.usedFor(charge.slot());
        used[i] = current;
        fits[i] = charge.fits(current);
        allFit &= fits[i];
      }
      if (mode == Mode.CHECK) {
        return ConsumeResult.of(allFit ? ConsumeResult.Status.APPLIED : ConsumeResult.Status.DENIED, used, fits);
      }
      if (!allFit && (mode == Mode.ENFORCE || mode == Mode.RESERVE)) {
        return ConsumeResult.of(ConsumeResult.Status.DENIED, used, fits);
      }
      long[] chargedStarts = new long[n];
      for (int i = 0; i < n; i++) {
        Charge charge = charges.get(i);
        Slot slot = charge.slot();
        Cell cell = touched[i];
        if (mode == Mode.REFUND) {
          if (cell != null) {
            cell.subtract(slot.start(), charge.amount());
            used[i] = cell.usedFor(slot);
          }
          continue;
        }
        if (cell == null) {
          cell = new Cell(slot);
          cells.put(slot.key(), cell);
          touched[i] = cell;
        }
        chargedStarts[i] = cell.add(slot, charge.amount(), mode != Mode.FORCE);
        used[i] = cell.usedFor(slot);
      }
      if (id != null) {
        operations.put(id, new Operation(request.expiresAt(), mode == Mode.RESERVE ? charges : null,
            chargedStarts));
      }
      return ConsumeResult.of(ConsumeResult.Status.APPLIED, used, fits);
    }

    private ConsumeResult duplicate(List<Charge> charges) {
      int n = charges.size();
      long[] used = new long[n];
      boolean[] fits = new boolean[n];
      for (int i = 0; i < n; i++) {
        Cell cell = cells.get(charges.get(i).slot().key());
        used[i] = cell == null ? 0 : cell.usedFor(charges.get(i).slot());
        fits[i] = true;
      }
      return ConsumeResult.of(ConsumeResult.Status.DUPLICATE, used, fits);
    }

    SettleResult settle(SettleRequest request) {
      Operation op = operations.get(request.operationId());
      if (op == null || op.charges == null) {
        return SettleResult.NOT_FOUND;
      }
      if (op.settled) {
        return SettleResult.ALREADY_SETTLED;
      }
      Checks.requireArgument(request.size() == op.charges.size(),
          "reservation '%s' has %s charges, got %s final amounts",
          request.operationId(), op.charges.size(), request.size());
      long[] finals = new long[request.size()];
      for (int i = 0; i < finals.length; i++) {
        finals[i] = request.finalAmount(i);
      }
      applySettlement(op, finals);
      return SettleResult.SETTLED;
    }

    private void applySettlement(Operation op, long[] finals) {
      for (int i = 0; i < finals.length; i++) {
        Charge charge = op.charges.get(i);
        Cell cell = cells.get(charge.slot().key());
        if (cell == null) {
          continue;
        }
        long delta = finals[i] - charge.amount();
        if (delta > 0) {
          cell.addToBucket(op.chargedStarts[i], delta);
        } else if (delta < 0) {
          cell.subtract(op.chargedStarts[i], -delta);
        }
      }
      op.settled = true;
    }

    int purge(long now, int max) {
      int handled = 0;
      for (Iterator<Cell> it = cells.values().iterator(); it.hasNext() && handled < max; ) {
        if (it.next().expiredAt(now)) {
          it.remove();
          handled++;
        }
      }
      for (Iterator<Operation> it = operations.values().iterator(); it.hasNext() && handled < max; ) {
        Operation op = it.next();
        if (op.expiresAt < now) {
          if (op.charges != null && !op.settled) {
            applySettlement(op, new long[op.charges.size()]);
          }
          it.remove();
          handled++;
        }
      }
      return handled;
    }

    boolean isEmpty() {
      return cells.isEmpty() && operations.isEmpty();
    }
  }

  /** A remembered operation id; for reservations, the charges and the bucket each was counted in. */
  private static final class Operation {
    final long expiresAt;
    final List<Charge> charges;
    final long[] chargedStarts;
    boolean settled;

    Operation(long expiresAt, List<Charge> charges, long[] chargedStarts) {
      this.expiresAt = expiresAt;
      this.charges = charges;
      this.chargedStarts = chargedStarts;
    }
  }

  /**
   * One counter cell: a single period for calendar and lifetime windows, a ring of {@code lookback + 1}
   * buckets for rolling windows.
   */
  static final class Cell {
    final long length;
    final int lookback;
    final long[] starts;
    final long[] used;
    long newest;
    long newestEnd;

    Cell(Slot slot) {
      this.length = slot.length();
      this.lookback = slot.lookback();
      this.starts = new long[lookback + 1];
      this.used = new long[lookback + 1];
      Arrays.fill(starts, Long.MIN_VALUE);
      this.newest = Long.MIN_VALUE;
      this.newestEnd = Long.MIN_VALUE;
    }

    long newestStart() {
      return newest;
    }

    /** The first bucket start that still counts when the newest bucket starts at {@code newestStart}. */
    private long oldestCounted(long newestStart) {
      return newestStart - lookback * length;
    }

    private int index(long start) {
      return lookback == 0 ? 0 : (int) Math.floorMod(Math.floorDiv(start, length), (long) (lookback + 1));
    }

    /** Usage that counts against {@code slot}: the later of the slot's and the stored period wins. */
    long usedFor(Slot slot) {
      long reference = Math.max(slot.start(), newest);
      return sumFrom(oldestCounted(reference), reference);
    }

    /** Usage that still counts at {@code now}. */
    long usedAt(long now) {
      long reference = Math.max(newest, now - Math.floorMod(now, length));
      return lookback == 0 ? (expiredAt(now) ? 0 : used[0]) : sumFrom(oldestCounted(reference), reference);
    }

    private long sumFrom(long from, long to) {
      long sum = 0;
      for (int i = 0; i < starts.length; i++) {
        if (starts[i] >= from && starts[i] <= to) {
          sum = Checks.saturatedAdd(sum, used[i]);
        }
      }
      return sum;
    }

    /**
     * Adds {@code amount} for {@code slot}. A newer stored period wins: when {@code intoNewer} the amount
     * counts there, otherwise (usage of an ended period) it is dropped.
     *
     * @return the start of the bucket charged
     */
    long add(Slot slot, long amount, boolean intoNewer) {
      long target = slot.start();
      if (target < newest) {
        if (intoNewer) {
          target = newest;
        } else {
          addToBucket(target, amount);
          return target;
        }
      }
      int i = index(target);
      if (starts[i] != target) {
        starts[i] = target;
        used[i] = 0;
      }
      used[i] = Checks.saturatedAdd(used[i], amount);
      if (target > newest) {
        newest = target;
        newestEnd = target == slot.start() ? slot.end() : target + length;
      }
      return target;
    }

    /** Adds to the bucket that starts at {@code start} if it is still kept; otherwise drops the amount. */
    void addToBucket(long start, long amount) {
      int i = index(start);
      if (starts[i] == start) {
        used[i] = Checks.saturatedAdd(used[i], amount);
      }
    }

    /** Subtracts from the bucket that starts at {@code start} if it is still kept, never below zero. */
    void subtract(long start, long amount) {
      int i = index(start);
      if (starts[i] == start) {
        used[i] = Math.max(0, used[i] - amount);
      }
    }

    boolean expiredAt(long now) {
      if (newest == Long.MIN_VALUE) {
        return false;
      }
      long countsUntil = Checks.saturatedAdd(newestEnd, lookback * length);
      return countsUntil <= now;
    }
  }
}
