package dev.limits.jdbc.internal;

import dev.limits.spi.Slot;
import dev.limits.spi.WindowCell;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * One stored counter cell as Java sees it while a transaction holds its row lock: the newest bucket
 * ({@code periodStart}, {@code periodEnd}, {@code used}) and, for rolling windows, the earlier buckets that
 * still count, as the row stores them.
 *
 * <p>The arithmetic is {@link WindowCell}'s, the same as every store's: this class only reads a row into a
 * cell in {@link WindowCell}'s layout and writes it back. Earlier buckets that can never count again are not
 * written back. Not thread-safe; lives for one transaction.
 */
public final class CellState {

  /** {@code periodStart} of a cell that was never charged (a placeholder row, or no row at all). */
  public static final long EMPTY = WindowCell.EMPTY;

  private final long bucketMs;
  private final int lookback;
  private final long[] cell; // in WindowCell's layout, from offset 0
  private boolean dirty;

  private CellState(long bucketMs, int lookback) {
    this.bucketMs = bucketMs;
    this.lookback = lookback;
    this.cell = new long[WindowCell.size(lookback)];
    WindowCell.clear(cell, 0, lookback);
  }

  /** A cell for {@code slot} that holds nothing yet. */
  public static CellState empty(Slot slot) {
    return new CellState(slot.length(), slot.lookback());
  }

  /** A cell as read from its row. */
  public static CellState of(long bucketMs, int lookback, long periodStart, long periodEnd, long used,
      @Nullable String earlierStarts, @Nullable String earlierUsed) {
    CellState state = new CellState(bucketMs, lookback);
    long[] starts = decode(earlierStarts);
    long[] useds = decode(earlierUsed);
    if (starts.length != useds.length) {
      throw new IllegalStateException("corrupt counter row: " + earlierStarts + " / " + earlierUsed);
    }
    if (periodStart == EMPTY) {
      return state;
    }
    long[] cell = state.cell;
    cell[WindowCell.START] = periodStart;
    cell[WindowCell.END] = periodEnd;
    if (lookback == 0) {
      cell[WindowCell.USED] = used;
      return state;
    }
    for (int i = 0; i < starts.length; i++) {
      WindowCell.restoreBucket(cell, 0, bucketMs, lookback, starts[i], useds[i]);
    }
    WindowCell.restoreBucket(cell, 0, bucketMs, lookback, periodStart, used);
    return state;
  }

  public boolean isEmpty() {
    return WindowCell.isEmpty(cell, 0);
  }

  /** When the cell stops counting: the end of its newest bucket plus the earlier buckets that follow. */
  public long expiresAt() {
    return WindowCell.expiresAt(cell, 0, bucketMs, lookback);
  }

  public boolean expiredAt(long now) {
    return !isEmpty() && expiresAt() <= now;
  }

  /**
   * Until when the row is kept (its {@code expires_at}): a rolling cell while it counts, a calendar cell
   * until no slot of any zone can overlap it ({@link Slot#calendarCellKeptUntil}).
   */
  public long keptUntil() {
    return WindowCell.keptUntil(cell, 0, bucketMs, lookback);
  }

  /** Usage that counts against {@code slot}: see {@link WindowCell#usedFor}. */
  public long usedFor(Slot slot) {
    return WindowCell.usedFor(cell, 0, slot);
  }

  /** Usage that still counts at {@code now}, for snapshots. */
  public long usedAt(long now) {
    return WindowCell.usedAt(cell, 0, bucketMs, lookback, now);
  }

  /**
   * Adds {@code amount} for {@code slot}: see {@link WindowCell#add}.
   *
   * @return the start of the bucket charged
   */
  public long add(Slot slot, long amount, boolean intoNewer) {
    dirty = true;
    return WindowCell.add(cell, 0, slot, amount, intoNewer);
  }

  /** Adds to the bucket that starts at {@code start} if it is still kept; otherwise drops the amount. */
  public void addToBucket(long start, long amount) {
    dirty = true;
    WindowCell.addToBucket(cell, 0, bucketMs, lookback, start, amount);
  }

  /** Subtracts from the bucket that starts at {@code start} if it is still kept, never below zero. */
  public void subtract(long start, long amount) {
    dirty = true;
    WindowCell.subtract(cell, 0, bucketMs, lookback, start, amount);
  }

  public long bucketMs() {
    return bucketMs;
  }

  public int lookback() {
    return lookback;
  }

  public long periodStart() {
    return cell[WindowCell.START];
  }

  public long periodEnd() {
    return cell[WindowCell.END];
  }

  /** The usage of the newest bucket alone. */
  public long used() {
    return WindowCell.newestUsed(cell, 0, bucketMs, lookback);
  }

  public boolean isDirty() {
    return dirty;
  }

  /** The earlier buckets' starts as stored: comma-separated decimal numbers, or null if there are none. */
  public @Nullable String earlierStartsText() {
    return encode(earlier(true));
  }

  /** The earlier buckets' usage as stored, in the order of {@link #earlierStartsText()}. */
  public @Nullable String earlierUsedText() {
    return encode(earlier(false));
  }

  /** The starts or the usage of the kept buckets before the newest, oldest first. */
  private long[] earlier(boolean starts) {
    long[] values = new long[lookback];
    int n = 0;
    for (int back = lookback; back >= 1; back--) {
      long start = WindowCell.bucketStart(cell, 0, bucketMs, lookback, back);
      if (start != EMPTY) {
        values[n++] = starts ? start : WindowCell.bucketUsed(cell, 0, bucketMs, lookback, back);
      }
    }
    return Arrays.copyOf(values, n);
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

  /** Adds two amounts, saturating at the long range instead of wrapping: {@link WindowCell#saturatedAdd}. */
  public static long saturatedAdd(long a, long b) {
    return WindowCell.saturatedAdd(a, b);
  }
}
