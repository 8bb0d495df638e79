package dev.limits.jdbc.internal;

import dev.limits.spi.Slot;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * One stored counter cell as Java sees it while a transaction holds its row lock: the newest bucket
 * ({@code periodStart}, {@code periodEnd}, {@code used}) and, for rolling windows, the earlier buckets that
 * still count.
 *
 * <p>The arithmetic mirrors the in-memory reference counter: a calendar or lifetime cell counts against a
 * slot unless its period ended at or before the slot's start ({@link Slot#counts}), and a write into it then
 * extends it; for rolling cells the later of the stored and the requested bucket wins; amounts saturate
 * instead of wrapping, and a bucket no longer kept absorbs nothing. Earlier
 * buckets that can never count again are dropped when the newest bucket moves, which is how the reference
 * ring behaves too. Not thread-safe; lives for one transaction.
 */
public final class CellState {

  /** {@code periodStart} of a cell that was never charged (a placeholder row, or no row at all). */
  public static final long EMPTY = Long.MIN_VALUE;

  long bucketMs;
  int lookback;
  long periodStart = EMPTY;
  long periodEnd = EMPTY;
  long used;
  long[] earlierStarts = new long[0];
  long[] earlierUsed = new long[0];
  boolean dirty;

  /** A cell for {@code slot} that holds nothing yet. */
  public static CellState empty(Slot slot) {
    CellState cell = new CellState();
    cell.bucketMs = slot.length();
    cell.lookback = slot.lookback();
    return cell;
  }

  /** A cell as read from its row. */
  public static CellState of(long bucketMs, int lookback, long periodStart, long periodEnd, long used,
      @Nullable String earlierStarts, @Nullable String earlierUsed) {
    CellState cell = new CellState();
    cell.bucketMs = bucketMs;
    cell.lookback = lookback;
    cell.periodStart = periodStart;
    cell.periodEnd = periodEnd;
    cell.used = used;
    cell.earlierStarts = decode(earlierStarts);
    cell.earlierUsed = decode(earlierUsed);
    if (cell.earlierStarts.length != cell.earlierUsed.length) {
      throw new IllegalStateException("corrupt counter row: " + earlierStarts + " / " + earlierUsed);
    }
    return cell;
  }

  public boolean isEmpty() {
    return periodStart == EMPTY;
  }

  /** When the cell stops counting: the end of its newest bucket plus the earlier buckets that follow. */
  public long expiresAt() {
    return isEmpty() ? periodEnd : saturatedAdd(periodEnd, multiplySaturated(lookback, bucketMs));
  }

  public boolean expiredAt(long now) {
    return !isEmpty() && expiresAt() <= now;
  }

  /**
   * Until when the row is kept (its {@code expires_at}): a rolling cell while it counts, a calendar cell
   * until no slot of any zone can overlap it ({@link Slot#calendarCellKeptUntil}).
   */
  public long keptUntil() {
    return isEmpty() || lookback > 0 ? expiresAt() : Slot.calendarCellKeptUntil(periodStart, periodEnd);
  }

  /**
   * Usage that counts against {@code slot}: a calendar or lifetime cell's unless its period ended at or
   * before the slot's start; for a rolling cell, the later of the slot's and the stored bucket wins.
   */
  public long usedFor(Slot slot) {
    if (isEmpty()) {
      return 0;
    }
    if (lookback == 0) {
      return slot.counts(periodEnd) ? used : 0;
    }
    long reference = Math.max(slot.start(), periodStart);
    return sumFrom(reference - multiplySaturated(lookback, bucketMs), reference);
  }

  /** Usage that still counts at {@code now}, for snapshots. */
  public long usedAt(long now) {
    if (isEmpty() || expiredAt(now)) {
      return 0;
    }
    if (lookback == 0) {
      return used;
    }
    long reference = Math.max(periodStart, now - Math.floorMod(now, bucketMs));
    return sumFrom(reference - multiplySaturated(lookback, bucketMs), reference);
  }

  private long sumFrom(long from, long to) {
    long sum = 0;
    if (periodStart >= from && periodStart <= to) {
      sum = used;
    }
    for (int i = 0; i < earlierStarts.length; i++) {
      if (earlierStarts[i] >= from && earlierStarts[i] <= to) {
        sum = saturatedAdd(sum, earlierUsed[i]);
      }
    }
    return sum;
  }

  /**
   * Adds {@code amount} for {@code slot}. A calendar or lifetime cell that counts against the slot takes
   * the amount and extends its period to the slot's end if that is later. A newer stored period wins: when
   * {@code intoNewer} the amount counts there, otherwise (usage of an ended period) it goes to the slot's own
   * bucket if that is kept.
   *
   * @return the start of the bucket charged
   */
  public long add(Slot slot, long amount, boolean intoNewer) {
    dirty = true;
    long target = slot.start();
    if (!isEmpty() && lookback == 0 && target > periodStart && slot.counts(periodEnd)) {
      // Another zone's period that overlaps the stored one: it takes the amount, keeping its start.
      used = saturatedAdd(used, amount);
      periodEnd = Math.max(periodEnd, slot.end());
      return periodStart;
    }
    if (!isEmpty() && target < periodStart) {
      if (intoNewer) {
        target = periodStart;
      } else {
        addToBucket(target, amount);
        return target;
      }
    }
    if (!isEmpty() && target == periodStart) {
      used = saturatedAdd(used, amount);
      periodEnd = Math.max(periodEnd, slot.end());
      return target;
    }
    // A new newest bucket: the old newest joins the earlier ones, and what can never count again goes.
    long oldest = target - multiplySaturated(lookback, bucketMs);
    long[] starts = new long[earlierStarts.length + 1];
    long[] useds = new long[earlierStarts.length + 1];
    int n = 0;
    for (int i = 0; i < earlierStarts.length; i++) {
      if (earlierStarts[i] >= oldest) {
        starts[n] = earlierStarts[i];
        useds[n++] = earlierUsed[i];
      }
    }
    if (!isEmpty() && lookback > 0 && periodStart >= oldest) {
      starts[n] = periodStart;
      useds[n++] = used;
    }
    earlierStarts = Arrays.copyOf(starts, n);
    earlierUsed = Arrays.copyOf(useds, n);
    periodStart = target;
    periodEnd = target == slot.start() ? slot.end() : saturatedAdd(target, bucketMs);
    used = amount;
    return target;
  }

  /** Adds to the bucket that starts at {@code start} if it is still kept; otherwise drops the amount. */
  public void addToBucket(long start, long amount) {
    if (isEmpty()) {
      return;
    }
    if (start == periodStart) {
      used = saturatedAdd(used, amount);
      dirty = true;
      return;
    }
    for (int i = 0; i < earlierStarts.length; i++) {
      if (earlierStarts[i] == start) {
        earlierUsed[i] = saturatedAdd(earlierUsed[i], amount);
        dirty = true;
      }
    }
  }

  /** Subtracts from the bucket that starts at {@code start} if it is still kept, never below zero. */
  public void subtract(long start, long amount) {
    if (isEmpty()) {
      return;
    }
    if (start == periodStart) {
      used = Math.max(0, used - amount);
      dirty = true;
      return;
    }
    for (int i = 0; i < earlierStarts.length; i++) {
      if (earlierStarts[i] == start) {
        earlierUsed[i] = Math.max(0, earlierUsed[i] - amount);
        dirty = true;
      }
    }
  }

  public long bucketMs() {
    return bucketMs;
  }

  public int lookback() {
    return lookback;
  }

  public long periodStart() {
    return periodStart;
  }

  public long periodEnd() {
    return periodEnd;
  }

  public long used() {
    return used;
  }

  public boolean isDirty() {
    return dirty;
  }

  /** The earlier buckets' starts as stored: comma-separated decimal numbers, or null if there are none. */
  public @Nullable String earlierStartsText() {
    return encode(earlierStarts);
  }

  /** The earlier buckets' usage as stored, in the order of {@link #earlierStartsText()}. */
  public @Nullable String earlierUsedText() {
    return encode(earlierUsed);
  }

  static @Nullable String encode(long[] values) {
    if (values.length == 0) {
      return null;
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < values.length; i++) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append(values[i]);
    }
    return sb.toString();
  }

  static long[] decode(@Nullable String text) {
    if (text == null || text.isEmpty()) {
      return new long[0];
    }
    String[] parts = text.split(",");
    long[] values = new long[parts.length];
    for (int i = 0; i < parts.length; i++) {
      values[i] = Long.parseLong(parts[i].trim());
    }
    return values;
  }

  /** Adds two amounts, saturating at the long range instead of wrapping. */
  public static long saturatedAdd(long a, long b) {
    long sum = a + b;
    return ((a ^ sum) & (b ^ sum)) < 0 ? (a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE) : sum;
  }

  private static long multiplySaturated(long a, long b) {
    long hi = Math.multiplyHigh(a, b);
    long lo = a * b;
    if ((hi == 0 && lo >= 0) || (hi == -1 && lo < 0)) {
      return lo;
    }
    return (a < 0) == (b < 0) ? Long.MAX_VALUE : Long.MIN_VALUE;
  }
}
