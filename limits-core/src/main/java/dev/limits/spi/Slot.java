package dev.limits.spi;

import java.util.Objects;

/**
 * One counter cell of a subject: a counter key and the period of its window that a request falls in.
 *
 * <p>{@code key} names the metric, the window and the scope (for example {@code "tokens@day"} or
 * {@code "tokens@month#gpt-4o"}); it is stable across policy changes so usage survives a plan upgrade.
 * {@code start} and {@code end} are epoch milliseconds; a lifetime slot ends at {@link Long#MAX_VALUE}.
 *
 * <p>{@code lookback} is 0 for calendar and lifetime windows. A stored cell of such a window counts against
 * the slot unless its period ended at or before the slot's start ({@link #counts(long)}): the same zone's
 * next period starts where the stored one ends and finds it empty, while the period of another zone that
 * overlaps the stored one (a user who changed zones), or a period that began earlier (an instance with a
 * lagging clock), counts the stored usage. A write into a cell that counts adds to it and extends its end to
 * the slot's end if that is later, keeping its start; a write into a cell that does not count resets it to
 * the slot. So a zone change never frees usage, and a fresh limit needs a slot that starts at or after the
 * stored end. Such a cell is kept until {@link #calendarCellKeptUntil(long, long)}.
 *
 * <p>For a rolling window {@code lookback} is the number of earlier buckets, each {@code end - start} long,
 * that count together with the current one. Rolling buckets are aligned to the epoch, the same in every
 * zone; a stored bucket that started <em>later</em> than the slot's (an instance with a lagging clock) is
 * never reset: the later bucket wins, and the request counts against it.
 *
 * @param key      the counter key: 1 to {@value #MAX_KEY_LENGTH} characters, checked as
 *                 {@link ConsumeRequest#requireSubject} checks a subject
 * @param start    the period's start, epoch milliseconds
 * @param end      the period's end, exclusive, epoch milliseconds
 * @param lookback how many earlier buckets of the same length count too (rolling windows)
 * @see Charge
 */
public record Slot(String key, long start, long end, int lookback) {

  /** The longest counter key a store must accept. */
  public static final int MAX_KEY_LENGTH = 200;

  private static final long DAY_MS = 86_400_000L;

  /**
   * Creates a slot.
   *
   * @param key      the counter key: 1 to {@value #MAX_KEY_LENGTH} characters
   * @param start    the period's start, epoch milliseconds
   * @param end      the period's end, exclusive, epoch milliseconds
   * @param lookback how many earlier buckets of the same length count too (rolling windows)
   * @throws NullPointerException     if {@code key} is null
   * @throws IllegalArgumentException if the key is malformed (empty, blank or too long, with leading or
   *                                  trailing whitespace, a control character or an unpaired surrogate),
   *                                  the period is empty, or the lookback is negative
   */
  public Slot {
    Identifiers.require(Objects.requireNonNull(key, "key"), "counter key", MAX_KEY_LENGTH);
    if (end <= start) {
      throw new IllegalArgumentException("slot period end " + end + " must be after its start " + start);
    }
    if (lookback < 0) {
      throw new IllegalArgumentException("slot lookback must not be negative, got " + lookback);
    }
  }

  /** {@return the length of one bucket (the period) in milliseconds} */
  public long length() {
    return end - start;
  }

  /** {@return whether this slot is a rolling window whose earlier buckets still count} */
  public boolean isRolling() {
    return lookback > 0;
  }

  /**
   * Whether the usage stored in a calendar or lifetime cell whose period ends at {@code storedEnd} counts
   * against this slot: unless the stored period ended at or before this slot's start. Not for rolling
   * windows.
   *
   * @param storedEnd the end of the stored period, exclusive, epoch milliseconds
   * @return whether the stored usage counts
   */
  public boolean counts(long storedEnd) {
    return storedEnd > start;
  }

  /**
   * Until when a store keeps a calendar or lifetime cell of period {@code [start, end)} after the period
   * ended, so that no slot that can still come, in any zone, overlaps it: purge may drop the cell from then
   * on. Snapshots and usage still follow the period: the cell stops counting at {@code end}.
   *
   * <p>A slot that contains an instant {@code t} starts later than {@code t} minus its own length, so a
   * slot that overlaps the cell (starts before {@code end}) contains no instant from {@code end} plus the
   * longest slot of the window on. The cell's own length, {@code end - start}, is at least the shortest
   * slot of its window: one slot, maybe extended. Over every zone of the time-zone database from 2000 to
   * 2040, the longest slot of a calendar window is at most the shortest plus one day for windows of hours
   * and days (a day lasts 21 to 27 hours where a zone moved its clock by 3 hours; an hour, 15 minutes to
   * 4 hours), and at most twice the shortest for weeks and longer (a week 6 days to 7 days 3 hours, a month
   * 27 days 23 hours to 31 days 3 hours). Hence a cell is kept for its own length plus the longer of its own
   * length and a day after it ended. (Its own length alone would not do: a 23-hour day dropped 23 hours after
   * it ended could be overlapped by a 25-hour day of another zone, which would find it empty.)
   *
   * @param start the start of the stored period, epoch milliseconds
   * @param end   the end of the stored period, exclusive, epoch milliseconds; {@link Long#MAX_VALUE} for a
   *              lifetime cell, which is kept for ever
   * @return the instant from which purge may drop the cell, epoch milliseconds, saturated at
   *         {@link Long#MAX_VALUE}
   */
  public static long calendarCellKeptUntil(long start, long end) {
    long length = Math.max(0, end - start);
    return WindowCell.saturatedAdd(WindowCell.saturatedAdd(end, length), Math.max(length, DAY_MS));
  }
}
