package dev.limits.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class WindowCellTest {

  private static final long HOUR = 3_600_000L;
  private static final long DAY = 24 * HOUR;
  private static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00:00Z

  private static Slot day(long at) {
    long start = Math.floorDiv(at, DAY) * DAY;
    return new Slot("tokens@day", start, start + DAY, 0);
  }

  private static Slot rolling(long at, int lookback) {
    long start = Math.floorDiv(at, HOUR) * HOUR;
    return new Slot("tokens@rolling", start, start + HOUR, lookback);
  }

  @Test
  void anEmptyCellCountsNothingAndHasExpired() {
    long[] calendar = WindowCell.newCell(day(T0));
    long[] ring = WindowCell.newCell(rolling(T0, 3));

    assertThat(calendar).hasSize(3);
    assertThat(ring).hasSize(2 + 2 * 4);
    assertThat(WindowCell.isEmpty(calendar, 0)).isTrue();
    assertThat(WindowCell.usedFor(calendar, 0, day(T0))).isZero();
    assertThat(WindowCell.usedFor(ring, 0, rolling(T0, 3))).isZero();
    assertThat(WindowCell.usedAt(ring, 0, HOUR, 3, T0)).isZero();
    assertThat(WindowCell.keptUntil(calendar, 0, DAY, 0)).isEqualTo(WindowCell.EMPTY);
    assertThat(WindowCell.expiresAt(ring, 0, HOUR, 3)).isEqualTo(WindowCell.EMPTY);
  }

  @Test
  void aCellAtAnOffsetLeavesItsNeighboursAlone() {
    long[] cells = {7, 0, 0, 0, 9};
    WindowCell.clear(cells, 1, 0);
    WindowCell.add(cells, 1, day(T0), 5, true);

    assertThat(cells).containsExactly(7, day(T0).start(), day(T0).end(), 5, 9);
  }

  @Test
  void aCalendarCellRollsOverToTheNextPeriodAndAfterSeveral() {
    long[] cell = WindowCell.newCell(day(T0));
    assertThat(WindowCell.add(cell, 0, day(T0), 40, true)).isEqualTo(T0);
    assertThat(WindowCell.add(cell, 0, day(T0 + HOUR), 2, true)).isEqualTo(T0);
    assertThat(WindowCell.usedFor(cell, 0, day(T0))).isEqualTo(42);

    assertThat(WindowCell.usedFor(cell, 0, day(T0 + DAY))).isZero();
    assertThat(WindowCell.add(cell, 0, day(T0 + DAY), 3, true)).isEqualTo(T0 + DAY);
    assertThat(WindowCell.usedFor(cell, 0, day(T0 + DAY))).isEqualTo(3);

    // Five days later: one reset, no trace of the periods between.
    assertThat(WindowCell.usedFor(cell, 0, day(T0 + 6 * DAY))).isZero();
    WindowCell.add(cell, 0, day(T0 + 6 * DAY), 1, true);
    assertThat(cell).containsExactly(T0 + 6 * DAY, T0 + 7 * DAY, 1);
    assertThat(WindowCell.usedAt(cell, 0, DAY, 0, T0 + 7 * DAY - 1)).isEqualTo(1);
    assertThat(WindowCell.usedAt(cell, 0, DAY, 0, T0 + 7 * DAY)).isZero();
  }

  @Test
  void aSlotOfAnotherZoneThatOverlapsTheCellCountsItAndExtendsIt() {
    long[] cell = WindowCell.newCell(day(T0));
    WindowCell.add(cell, 0, day(T0), 10, true);
    // The same day two hours east: starts earlier, overlaps, ends earlier.
    Slot east = new Slot("tokens@day", T0 - 2 * HOUR, T0 + DAY - 2 * HOUR, 0);
    Slot west = new Slot("tokens@day", T0 + 5 * HOUR, T0 + DAY + 5 * HOUR, 0);

    assertThat(WindowCell.usedFor(cell, 0, east)).isEqualTo(10);
    assertThat(WindowCell.add(cell, 0, west, 5, true)).isEqualTo(T0);
    assertThat(cell).containsExactly(T0, T0 + DAY + 5 * HOUR, 15);
    // The cell is kept for its own extended length plus the longer of that and a day after it ends.
    long length = DAY + 5 * HOUR;
    assertThat(WindowCell.keptUntil(cell, 0, DAY, 0)).isEqualTo(T0 + length + length + length);
    // The next UTC day overlaps the extended cell: it still counts there.
    assertThat(WindowCell.usedFor(cell, 0, day(T0 + DAY))).isEqualTo(15);
    // Usage forced into a period that started before the stored one is of an ended period: dropped.
    assertThat(WindowCell.add(cell, 0, east, 100, false)).isEqualTo(east.start());
    assertThat(cell[WindowCell.USED]).isEqualTo(15);
    assertThat(WindowCell.add(cell, 0, east, 100, true)).isEqualTo(T0);
    assertThat(cell[WindowCell.USED]).isEqualTo(115);
  }

  @Test
  void sumsSaturateAtTheLargestLongAndDifferencesStopAtZero() {
    long[] cell = WindowCell.newCell(day(T0));
    WindowCell.add(cell, 0, day(T0), Long.MAX_VALUE - 1, true);
    WindowCell.add(cell, 0, day(T0), 5, true);
    assertThat(WindowCell.usedFor(cell, 0, day(T0))).isEqualTo(Long.MAX_VALUE);
    WindowCell.addToBucket(cell, 0, DAY, 0, T0, Long.MAX_VALUE);
    assertThat(cell[WindowCell.USED]).isEqualTo(Long.MAX_VALUE);
    WindowCell.subtract(cell, 0, DAY, 0, T0, Long.MAX_VALUE);
    WindowCell.subtract(cell, 0, DAY, 0, T0, 1);
    assertThat(cell[WindowCell.USED]).isZero();

    long[] ring = WindowCell.newCell(rolling(T0, 2));
    WindowCell.add(ring, 0, rolling(T0, 2), Long.MAX_VALUE, true);
    WindowCell.add(ring, 0, rolling(T0 + HOUR, 2), Long.MAX_VALUE, true);
    assertThat(WindowCell.usedFor(ring, 0, rolling(T0 + HOUR, 2))).isEqualTo(Long.MAX_VALUE);

    assertThat(WindowCell.saturatedAdd(Long.MAX_VALUE, 1)).isEqualTo(Long.MAX_VALUE);
    assertThat(WindowCell.saturatedAdd(Long.MIN_VALUE, -1)).isEqualTo(Long.MIN_VALUE);
    assertThat(WindowCell.saturatedMultiply(Long.MAX_VALUE / 2, 3)).isEqualTo(Long.MAX_VALUE);
    assertThat(WindowCell.saturatedMultiply(-(Long.MAX_VALUE / 2), 3)).isEqualTo(Long.MIN_VALUE);
    // A lifetime cell ends at the largest long and is kept for ever.
    Slot lifetime = new Slot("tokens@lifetime", 0, Long.MAX_VALUE, 0);
    long[] forever = WindowCell.newCell(lifetime);
    WindowCell.add(forever, 0, lifetime, 1, true);
    assertThat(WindowCell.keptUntil(forever, 0, Long.MAX_VALUE, 0)).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void aChargeFitsUpToTheLimitAndAZeroChargeWhileAnythingIsLeft() {
    assertThat(WindowCell.fits(10, 3, 7)).isTrue();
    assertThat(WindowCell.fits(10, 4, 7)).isFalse();
    assertThat(WindowCell.fits(10, 0, 9)).isTrue();
    assertThat(WindowCell.fits(10, 0, 10)).isFalse();
    assertThat(WindowCell.fits(Long.MAX_VALUE, 1, Long.MAX_VALUE)).isFalse(); // the sum would wrap
    assertThat(WindowCell.fits(Long.MAX_VALUE, Long.MAX_VALUE, 1)).isFalse();
  }

  @Test
  void rollingBucketsSlideAndStopCounting() {
    int lookback = 2; // three buckets of an hour count together
    long[] ring = WindowCell.newCell(rolling(T0, lookback));
    WindowCell.add(ring, 0, rolling(T0, lookback), 1, true);
    WindowCell.add(ring, 0, rolling(T0 + HOUR, lookback), 10, true);
    WindowCell.add(ring, 0, rolling(T0 + 2 * HOUR, lookback), 100, true);

    assertThat(WindowCell.usedFor(ring, 0, rolling(T0 + 2 * HOUR, lookback))).isEqualTo(111);
    assertThat(WindowCell.usedFor(ring, 0, rolling(T0 + 3 * HOUR, lookback))).isEqualTo(110);
    assertThat(WindowCell.usedFor(ring, 0, rolling(T0 + 4 * HOUR, lookback))).isEqualTo(100);
    assertThat(WindowCell.usedFor(ring, 0, rolling(T0 + 5 * HOUR, lookback))).isZero();
    assertThat(WindowCell.expiresAt(ring, 0, HOUR, lookback)).isEqualTo(T0 + 5 * HOUR);
    assertThat(WindowCell.usedAt(ring, 0, HOUR, lookback, T0 + 4 * HOUR)).isEqualTo(100);
    assertThat(WindowCell.usedAt(ring, 0, HOUR, lookback, T0 + 5 * HOUR)).isZero();

    // The ring reuses the oldest bucket's place: the first hour's usage is gone.
    WindowCell.add(ring, 0, rolling(T0 + 3 * HOUR, lookback), 1000, true);
    assertThat(WindowCell.usedFor(ring, 0, rolling(T0 + 3 * HOUR, lookback))).isEqualTo(1110);
    assertThat(WindowCell.bucketStart(ring, 0, HOUR, lookback, 0)).isEqualTo(T0 + 3 * HOUR);
    assertThat(WindowCell.bucketUsed(ring, 0, HOUR, lookback, 2)).isEqualTo(10);
    assertThat(WindowCell.newestUsed(ring, 0, HOUR, lookback)).isEqualTo(1000);

    // Several buckets later, one write leaves only itself.
    WindowCell.add(ring, 0, rolling(T0 + 20 * HOUR, lookback), 7, true);
    assertThat(WindowCell.usedFor(ring, 0, rolling(T0 + 20 * HOUR, lookback))).isEqualTo(7);
  }

  @Test
  void aLaggingClockCountsIntoTheNewerBucketUnlessForcedIntoItsOwn() {
    int lookback = 2;
    long[] ring = WindowCell.newCell(rolling(T0, lookback));
    WindowCell.add(ring, 0, rolling(T0, lookback), 1, true);
    WindowCell.add(ring, 0, rolling(T0 + HOUR, lookback), 10, true);

    assertThat(WindowCell.usedFor(ring, 0, rolling(T0, lookback))).isEqualTo(11);
    assertThat(WindowCell.add(ring, 0, rolling(T0, lookback), 5, true)).isEqualTo(T0 + HOUR);
    assertThat(WindowCell.add(ring, 0, rolling(T0, lookback), 3, false)).isEqualTo(T0);
    assertThat(WindowCell.bucketUsed(ring, 0, HOUR, lookback, 0)).isEqualTo(15);
    assertThat(WindowCell.bucketUsed(ring, 0, HOUR, lookback, 1)).isEqualTo(4);

    // A settlement reaches the bucket it charged, a bucket no longer kept takes nothing.
    WindowCell.subtract(ring, 0, HOUR, lookback, T0, 4);
    WindowCell.addToBucket(ring, 0, HOUR, lookback, T0 - 5 * HOUR, 50);
    assertThat(WindowCell.usedFor(ring, 0, rolling(T0 + HOUR, lookback))).isEqualTo(15);
  }

  @Test
  void aStoreThatKeepsBucketsAsAListRestoresThem() {
    int lookback = 3;
    long[] ring = WindowCell.newCell(rolling(T0, lookback));
    ring[WindowCell.START] = T0 + 3 * HOUR;
    ring[WindowCell.END] = T0 + 4 * HOUR;
    WindowCell.restoreBucket(ring, 0, HOUR, lookback, T0 + 3 * HOUR, 8);
    WindowCell.restoreBucket(ring, 0, HOUR, lookback, T0 + HOUR, 4);
    WindowCell.restoreBucket(ring, 0, HOUR, lookback, T0 - HOUR, 1000); // can never count again
    WindowCell.restoreBucket(ring, 0, HOUR, lookback, T0 + 9 * HOUR, 1000); // after the newest: corrupt

    assertThat(WindowCell.usedFor(ring, 0, rolling(T0 + 3 * HOUR, lookback))).isEqualTo(12);
    assertThat(WindowCell.bucketStart(ring, 0, HOUR, lookback, 1)).isEqualTo(WindowCell.EMPTY);
    assertThat(WindowCell.bucketStart(ring, 0, HOUR, lookback, 2)).isEqualTo(T0 + HOUR);
  }

  @Test
  void aWindowTooLargeForAnArrayIsRefused() {
    assertThatThrownBy(() -> WindowCell.size(-1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-1");
    assertThatThrownBy(() -> WindowCell.size(Integer.MAX_VALUE)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(String.valueOf(Integer.MAX_VALUE));
  }
}
