package dev.limits.spi;

/**
 * The arithmetic of one counter cell of a window, written once for every store: which stored usage counts
 * against a {@link Slot}, how a write rolls a cell over to a new period or bucket, how a settlement or a
 * refund reaches the bucket it charged, whether a charge fits, and sums that saturate instead of wrapping.
 *
 * <p>A store keeps its cells as it likes (rows, arrays, a hash in a key-value store) and hands each to these
 * functions as a run of longs in an array, from an offset, laid out so:
 * <ul>
 *   <li>{@link #START}: the start of the cell's newest period (for a rolling window, its newest bucket), epoch
 *       milliseconds, or {@link #EMPTY} for a cell never charged;
 *   <li>{@link #END}: the end of that period, exclusive; a calendar cell's end may have been extended past
 *       its own period by a write from another zone, see {@link Slot};
 *   <li>for a calendar or lifetime window (lookback 0), {@link #USED}: the cell's usage. 3 longs in all;
 *   <li>for a rolling window, a ring of {@code lookback + 1} buckets from {@link #RING} on, each its start
 *       ({@link #EMPTY} if unused) and its usage; the bucket that starts at {@code s} sits at ring position
 *       {@code floorMod(floorDiv(s, length), lookback + 1)}. {@code 2 + 2 * (lookback + 1)} longs in all.
 * </ul>
 * The rules are those the {@link Slot} Javadoc states: a calendar cell counts against a slot unless its period
 * ended at or before the slot's start ({@link Slot#counts}), and a write into it then adds and extends its
 * end, while a write into a cell that does not count resets it to the slot; for a rolling cell the later of
 * the stored and the requested bucket wins, and a bucket counts while it is one of the newest
 * {@code lookback + 1}. A store that keeps a rolling cell's buckets as a list rather than a ring puts each into
 * an array with {@link #restoreBucket} and reads them back with {@link #bucketStart} and {@link #bucketUsed}.
 *
 * <p>Usage never wraps: sums saturate at {@link Long#MAX_VALUE} and differences stop at zero. The functions are
 * pure apart from writing into the array they are given; they keep nothing. Thread-safe as long as no two
 * threads write one cell at once (a store's lock or row lock sees to that).
 *
 * @see Slot
 * @see Charge#fits
 */
public final class WindowCell {

  /** {@link #START} of a cell never charged, and the start of a ring bucket never used. */
  public static final long EMPTY = Long.MIN_VALUE;

  /** Offset of the start of the newest period. */
  public static final int START = 0;

  /** Offset of the end of the newest period, exclusive. */
  public static final int END = 1;

  /** Offset of a calendar or lifetime cell's usage. */
  public static final int USED = 2;

  /** Offset of a rolling cell's ring of buckets. */
  public static final int RING = 2;

  private WindowCell() {}

  /**
   * Returns how many longs a cell of a window with {@code lookback} earlier buckets takes.
   *
   * @param lookback the window's lookback, 0 for a calendar or lifetime window
   * @return 3 for a calendar or lifetime cell, {@code 2 + 2 * (lookback + 1)} for a rolling one
   * @throws IllegalArgumentException if {@code lookback} is negative or too large for an array
   */
  public static int size(int lookback) {
    if (lookback < 0 || lookback > (Integer.MAX_VALUE - RING) / 2 - 1) {
      throw new IllegalArgumentException("lookback must be 0 to " + ((Integer.MAX_VALUE - RING) / 2 - 1)
          + ", got " + lookback);
    }
    return lookback == 0 ? USED + 1 : RING + 2 * (lookback + 1);
  }

  /**
   * Makes the cell at {@code offset} empty: never charged, every bucket unused.
   *
   * @param cell     the array holding the cell
   * @param offset   where the cell starts
   * @param lookback the window's lookback
   */
  public static void clear(long[] cell, int offset, int lookback) {
    cell[offset + START] = EMPTY;
    cell[offset + END] = EMPTY;
    if (lookback == 0) {
      cell[offset + USED] = 0;
      return;
    }
    for (int b = offset + RING, last = offset + RING + 2 * lookback; b <= last; b += 2) {
      cell[b] = EMPTY;
      cell[b + 1] = 0;
    }
  }

  /**
   * Returns a new empty cell shaped for {@code slot}'s window.
   *
   * @param slot a slot of the window
   * @return an array of {@link #size(int)} longs holding an empty cell at offset 0
   */
  public static long[] newCell(Slot slot) {
    long[] cell = new long[size(slot.lookback())];
    clear(cell, 0, slot.lookback());
    return cell;
  }

  /**
   * Whether the cell was never charged.
   *
   * @param cell   the array holding the cell
   * @param offset where the cell starts
   * @return whether its start is {@link #EMPTY}
   */
  public static boolean isEmpty(long[] cell, int offset) {
    return cell[offset + START] == EMPTY;
  }

  /**
   * Returns the usage of the cell that counts against {@code slot}, a slot of the cell's window: a calendar
   * cell's unless its period ended at or before the slot's start; for a rolling cell, the sum of the buckets
   * that count when the newest bucket is the later of the slot's and the stored newest.
   *
   * @param cell   the array holding the cell
   * @param offset where the cell starts
   * @param slot   the slot asked about
   * @return the usage that counts, zero or more
   */
  public static long usedFor(long[] cell, int offset, Slot slot) {
    int lookback = slot.lookback();
    if (lookback == 0) {
      return slot.counts(cell[offset + END]) ? cell[offset + USED] : 0;
    }
    return sum(cell, offset, slot.length(), lookback, Math.max(slot.start(), cell[offset + START]));
  }

  /**
   * Returns the usage of the cell that still counts at {@code now}, as a snapshot reports it: zero once the
   * cell expired ({@link #expiresAt}).
   *
   * @param cell     the array holding the cell
   * @param offset   where the cell starts
   * @param length   the length of the window's period or bucket, milliseconds
   * @param lookback the window's lookback
   * @param now      the current time, epoch milliseconds
   * @return the usage that counts at {@code now}, zero or more
   */
  public static long usedAt(long[] cell, int offset, long length, int lookback, long now) {
    if (expiresAt(cell, offset, length, lookback) <= now) {
      return 0;
    }
    if (lookback == 0) {
      return cell[offset + USED];
    }
    return sum(cell, offset, length, lookback, Math.max(cell[offset + START], now - Math.floorMod(now, length)));
  }

  /**
   * Returns the usage of the newest period or bucket alone.
   *
   * @param cell     the array holding the cell
   * @param offset   where the cell starts
   * @param length   the length of the window's period or bucket, milliseconds
   * @param lookback the window's lookback
   * @return its usage, 0 for an empty cell
   */
  public static long newestUsed(long[] cell, int offset, long length, int lookback) {
    if (lookback == 0) {
      return cell[offset + USED];
    }
    long start = cell[offset + START];
    int b = bucket(offset, start, length, lookback);
    return start != EMPTY && cell[b] == start ? cell[b + 1] : 0;
  }

  /**
   * Adds {@code amount} to the cell for {@code slot}, a slot of the cell's window, as {@link Slot} describes:
   * a calendar cell that counts against the slot takes it and its end extends to the slot's end if that is
   * later, while one that does not count is reset to the slot; a rolling cell's bucket of the slot takes it,
   * and becomes the newest if it is later than the stored newest. When the stored newest period is later than
   * the slot's (an instance with a lagging clock), the amount counts there if {@code intoNewer}, and otherwise
   * (usage of an ended period, which a caller forces) goes to the slot's own period if the cell still keeps
   * it, or is dropped.
   *
   * @param cell      the array holding the cell
   * @param offset    where the cell starts
   * @param slot      the slot charged
   * @param amount    the amount, zero or more
   * @param intoNewer whether a newer stored period takes the amount
   * @return the start of the period or bucket that was charged, for a later {@link #addToBucket} or
   *         {@link #subtract} (a settlement or refund of this amount)
   */
  public static long add(long[] cell, int offset, Slot slot, long amount, boolean intoNewer) {
    int lookback = slot.lookback();
    long stored = cell[offset + START];
    if (lookback == 0) {
      if (stored == EMPTY || !slot.counts(cell[offset + END])) {
        cell[offset + START] = slot.start();
        cell[offset + END] = slot.end();
        cell[offset + USED] = amount;
        return slot.start();
      }
      if (slot.start() < stored && !intoNewer) {
        return slot.start(); // usage of an ended period that this cell no longer keeps
      }
      cell[offset + USED] = saturatedAdd(cell[offset + USED], amount);
      cell[offset + END] = Math.max(cell[offset + END], slot.end());
      return stored;
    }
    long length = slot.length();
    long target = slot.start();
    if (target < stored) {
      if (!intoNewer) {
        addToBucket(cell, offset, length, lookback, target, amount);
        return target;
      }
      target = stored;
    }
    int b = bucket(offset, target, length, lookback);
    long before = cell[b] == target ? cell[b + 1] : 0; // else a bucket that no longer counts: reused
    cell[b] = target;
    cell[b + 1] = saturatedAdd(before, amount);
    if (target > stored) {
      cell[offset + START] = target;
      cell[offset + END] = target == slot.start() ? slot.end() : saturatedAdd(target, length);
    }
    return target;
  }

  /**
   * Adds {@code amount} to the period or bucket that starts at {@code start} if the cell still keeps it;
   * otherwise drops it. Settles a reservation above its estimate.
   *
   * @param cell     the array holding the cell
   * @param offset   where the cell starts
   * @param length   the length of the window's period or bucket, milliseconds
   * @param lookback the window's lookback
   * @param start    the start {@link #add} answered when the reservation was counted
   * @param amount   the amount, zero or more
   */
  public static void addToBucket(long[] cell, int offset, long length, int lookback, long start, long amount) {
    int used = usedSlot(cell, offset, length, lookback, start);
    if (used >= 0) {
      cell[used] = saturatedAdd(cell[used], amount);
    }
  }

  /**
   * Subtracts {@code amount} from the period or bucket that starts at {@code start} if the cell still keeps
   * it, never below zero; otherwise does nothing. Refunds, cancels or settles below an estimate.
   *
   * @param cell     the array holding the cell
   * @param offset   where the cell starts
   * @param length   the length of the window's period or bucket, milliseconds
   * @param lookback the window's lookback
   * @param start    the start of the period charged
   * @param amount   the amount, zero or more
   */
  public static void subtract(long[] cell, int offset, long length, int lookback, long start, long amount) {
    int used = usedSlot(cell, offset, length, lookback, start);
    if (used >= 0) {
      cell[used] = Math.max(0, cell[used] - amount);
    }
  }

  /**
   * Returns when the cell stops counting: the end of its newest period, plus for a rolling cell the
   * {@code lookback} buckets after it in which it still counts; {@link #EMPTY} for an empty cell.
   *
   * @param cell     the array holding the cell
   * @param offset   where the cell starts
   * @param length   the length of the window's period or bucket, milliseconds
   * @param lookback the window's lookback
   * @return epoch milliseconds, saturated at {@link Long#MAX_VALUE}
   */
  public static long expiresAt(long[] cell, int offset, long length, int lookback) {
    if (isEmpty(cell, offset)) {
      return EMPTY;
    }
    long end = cell[offset + END];
    return lookback == 0 ? end : saturatedAdd(end, saturatedMultiply(lookback, length));
  }

  /**
   * Returns until when a store keeps the cell: a rolling cell while it counts ({@link #expiresAt}), a calendar
   * or lifetime cell until no slot of any zone can overlap it ({@link Slot#calendarCellKeptUntil}); a purge
   * may drop it from then on. {@link #EMPTY} for an empty cell.
   *
   * @param cell     the array holding the cell
   * @param offset   where the cell starts
   * @param length   the length of the window's period or bucket, milliseconds
   * @param lookback the window's lookback
   * @return epoch milliseconds, saturated at {@link Long#MAX_VALUE}
   */
  public static long keptUntil(long[] cell, int offset, long length, int lookback) {
    if (lookback > 0 || isEmpty(cell, offset)) {
      return expiresAt(cell, offset, length, lookback);
    }
    return Slot.calendarCellKeptUntil(cell[offset + START], cell[offset + END]);
  }

  /**
   * Puts a stored bucket of a rolling cell into the ring, after {@link #START} and {@link #END} were set:
   * for a store that keeps the buckets as a list. A bucket that can no longer count (more than
   * {@code lookback} buckets before the newest, or after it) is left out.
   *
   * @param cell     the array holding the cell
   * @param offset   where the cell starts
   * @param length   the length of the window's bucket, milliseconds
   * @param lookback the window's lookback, at least 1
   * @param start    the bucket's start
   * @param used     its usage
   */
  public static void restoreBucket(long[] cell, int offset, long length, int lookback, long start, long used) {
    long newest = cell[offset + START];
    if (start != EMPTY && start <= newest && start >= oldestCounted(newest, length, lookback)) {
      int b = bucket(offset, start, length, lookback);
      cell[b] = start;
      cell[b + 1] = used;
    }
  }

  /**
   * Returns the start of the bucket {@code back} buckets before the newest, if the rolling cell keeps it
   * (it may still count), or {@link #EMPTY}; with {@link #bucketUsed}, for a store that writes the buckets
   * out as a list.
   *
   * @param cell     the array holding the cell
   * @param offset   where the cell starts
   * @param length   the length of the window's bucket, milliseconds
   * @param lookback the window's lookback, at least 1
   * @param back     0 for the newest bucket, up to {@code lookback}
   * @return the bucket's start, or {@link #EMPTY} if the cell does not keep it
   */
  public static long bucketStart(long[] cell, int offset, long length, int lookback, int back) {
    long newest = cell[offset + START];
    if (newest == EMPTY) {
      return EMPTY;
    }
    long start = newest - back * length;
    return cell[bucket(offset, start, length, lookback)] == start ? start : EMPTY;
  }

  /**
   * Returns the usage of the bucket {@code back} buckets before the newest, 0 if the cell does not keep it.
   *
   * @param cell     the array holding the cell
   * @param offset   where the cell starts
   * @param length   the length of the window's bucket, milliseconds
   * @param lookback the window's lookback, at least 1
   * @param back     0 for the newest bucket, up to {@code lookback}
   * @return its usage
   */
  public static long bucketUsed(long[] cell, int offset, long length, int lookback, int back) {
    long start = bucketStart(cell, offset, length, lookback, back);
    return start == EMPTY ? 0 : cell[bucket(offset, start, length, lookback) + 1];
  }

  /**
   * The fit rule of {@link Charge#fits}: {@code used + amount <= limit} without wrapping, or
   * {@code used < limit} for an amount of zero (is anything left?).
   *
   * @param limit  the most the cell may hold, zero or more
   * @param amount the amount to count, zero or more
   * @param used   the usage that counts, zero or more
   * @return whether the amount fits
   */
  public static boolean fits(long limit, long amount, long used) {
    if (amount == 0) {
      return used < limit;
    }
    long sum = used + amount;
    return sum >= 0 && sum <= limit;
  }

  /**
   * Adds two longs, saturating at {@link Long#MAX_VALUE} or {@link Long#MIN_VALUE} instead of wrapping.
   *
   * @param a a value
   * @param b another value
   * @return their sum, saturated
   */
  public static long saturatedAdd(long a, long b) {
    long sum = a + b;
    return ((a ^ sum) & (b ^ sum)) < 0 ? (a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE) : sum;
  }

  /**
   * Multiplies two longs, saturating at {@link Long#MAX_VALUE} or {@link Long#MIN_VALUE} instead of wrapping.
   *
   * @param a a value
   * @param b another value
   * @return their product, saturated
   */
  public static long saturatedMultiply(long a, long b) {
    long high = Math.multiplyHigh(a, b);
    long low = a * b;
    if ((high == 0 && low >= 0) || (high == -1 && low < 0)) {
      return low;
    }
    return (a < 0) == (b < 0) ? Long.MAX_VALUE : Long.MIN_VALUE;
  }

  /** The first bucket start that still counts when the newest bucket starts at {@code newest}. */
  private static long oldestCounted(long newest, long length, int lookback) {
    return saturatedAdd(newest, -saturatedMultiply(lookback, length));
  }

  /** The index in the array of the ring bucket for {@code start}. */
  private static int bucket(int offset, long start, long length, int lookback) {
    return offset + RING + 2 * (int) Math.floorMod(Math.floorDiv(start, length), (long) (lookback + 1));
  }

  /** The sum of the buckets from {@code lookback} buckets before {@code reference} to it. */
  private static long sum(long[] cell, int offset, long length, int lookback, long reference) {
    long from = oldestCounted(reference, length, lookback);
    long sum = 0;
    for (int b = offset + RING, last = offset + RING + 2 * lookback; b <= last; b += 2) {
      long start = cell[b];
      if (start != EMPTY && start >= from && start <= reference) {
        sum = saturatedAdd(sum, cell[b + 1]);
      }
    }
    return sum;
  }

  /** The index of the usage of the period or bucket that starts at {@code start}, or -1 if not kept. */
  private static int usedSlot(long[] cell, int offset, long length, int lookback, long start) {
    if (start == EMPTY) {
      return -1;
    }
    if (lookback == 0) {
      return cell[offset + START] == start ? offset + USED : -1;
    }
    int b = bucket(offset, start, length, lookback);
    return cell[b] == start ? b + 1 : -1;
  }
}
