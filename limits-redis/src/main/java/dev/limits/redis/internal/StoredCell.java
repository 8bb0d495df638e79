package dev.limits.redis.internal;

import dev.limits.spi.WindowCell;

/**
 * A cell as the scripts store it, one hash field holding {@code "lookback start end used"} and then
 * {@code "start used"} of each earlier bucket of a rolling window, read into {@link WindowCell}'s layout so
 * that Java answers snapshots and picks what purge may drop with the SPI's arithmetic, written once. Not
 * thread-safe; lives for one read.
 */
public final class StoredCell {

  private final int lookback;
  private final long length;
  private final long[] cell;

  private StoredCell(int lookback, long length, long[] cell) {
    this.lookback = lookback;
    this.length = length;
    this.cell = cell;
  }

  /**
   * Reads a stored field value.
   *
   * @param value the field's value
   * @return the cell
   * @throws IllegalStateException if the value is not a stored cell
   */
  public static StoredCell parse(String value) {
    String[] parts = value.split(" ");
    if (parts.length < 4 || parts.length % 2 != 0) {
      throw new IllegalStateException("not a stored counter cell: '" + value + "'");
    }
    int lookback = Integer.parseInt(parts[0]);
    long start = Long.parseLong(parts[1]);
    long end = Long.parseLong(parts[2]);
    long used = Long.parseLong(parts[3]);
    long[] cell = new long[WindowCell.size(lookback)];
    WindowCell.clear(cell, 0, lookback);
    cell[WindowCell.START] = start;
    cell[WindowCell.END] = end;
    long length = end - start;
    if (lookback == 0) {
      cell[WindowCell.USED] = used;
    } else {
      WindowCell.restoreBucket(cell, 0, length, lookback, start, used);
      for (int i = 4; i < parts.length; i += 2) {
        WindowCell.restoreBucket(cell, 0, length, lookback, Long.parseLong(parts[i]), Long.parseLong(parts[i + 1]));
      }
    }
    return new StoredCell(lookback, length, cell);
  }

  /** {@return the start of the newest period or bucket} */
  public long start() {
    return cell[WindowCell.START];
  }

  /**
   * Whether the cell stopped counting at {@code now}.
   *
   * @param now epoch milliseconds
   * @return whether it expired
   */
  public boolean expiredAt(long now) {
    return WindowCell.expiresAt(cell, 0, length, lookback) <= now;
  }

  /**
   * The usage that still counts at {@code now}, as a snapshot reports it.
   *
   * @param now epoch milliseconds
   * @return the usage
   */
  public long usedAt(long now) {
    return WindowCell.usedAt(cell, 0, length, lookback, now);
  }

  /**
   * Whether purge may drop the cell at {@code now}.
   *
   * @param now epoch milliseconds
   * @return whether no slot can count it any more
   */
  public boolean droppableAt(long now) {
    return WindowCell.keptUntil(cell, 0, length, lookback) <= now;
  }
}
