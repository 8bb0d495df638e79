package dev.limits.testkit;

import static dev.limits.testkit.UsageCounterContract.DAY;
import static dev.limits.testkit.UsageCounterContract.HOUR;
import static dev.limits.testkit.UsageCounterContract.MINUTE;
import static dev.limits.testkit.UsageCounterContract.SUBJECT;
import static dev.limits.testkit.UsageCounterContract.T0;
import static dev.limits.testkit.UsageCounterContract.charge;
import static dev.limits.testkit.UsageCounterContract.day;
import static dev.limits.testkit.UsageCounterContract.hour;
import static dev.limits.testkit.UsageCounterContract.lifetime;
import static dev.limits.testkit.UsageCounterContract.rolling;
import static org.assertj.core.api.Assertions.assertThat;

import dev.limits.spi.ConsumeRequest.Mode;
import dev.limits.spi.ConsumeResult;
import dev.limits.spi.ConsumeResult.Status;
import dev.limits.spi.SettleResult;
import dev.limits.spi.Slot;
import dev.limits.spi.SlotUsage;
import org.junit.jupiter.api.Test;

/**
 * Windows: a later period resets a cell, a clock that lags counts against the newer period, rolling and lifetime
 * slots.
 */
abstract class WindowTopic extends ContractTopic {

  WindowTopic(UsageCounterContract contract) {
    super(contract);
  }

  @Test
  void aSlotWithALaterPeriodResetsTheCell() {
    consume(Mode.ENFORCE, T0 + 10 * MINUTE, charge(hour("messages", T0), 10, 10));
    long next = T0 + HOUR + MINUTE;

    assertResult(consume(Mode.ENFORCE, next, charge(hour("messages", next), 10, 4)), Status.APPLIED, longs(4),
        bools(true));
    assertThat(used(hour("messages", next), next)).isEqualTo(4);
    assertThat(snapshot(SUBJECT, next).get("messages@hour"))
        .isEqualTo(new SlotUsage("messages@hour", T0 + HOUR, 4));
  }

  @Test
  void aLaterPeriodResetsEvenWhenThatPeriodIsFarAhead() {
    consume(Mode.ENFORCE, T0, charge(day("messages", T0), 10, 10));
    long later = T0 + 40 * DAY + 5;

    assertResult(consume(Mode.CHECK, later, charge(day("messages", later), 10, 10)), Status.APPLIED,
        longs(0), bools(true));
    assertResult(consume(Mode.ENFORCE, later, charge(day("messages", later), 10, 10)), Status.APPLIED,
        longs(10), bools(true));
  }

  @Test
  void aSlotWithAnEarlierPeriodCountsAgainstTheNewerOne() {
    long next = T0 + HOUR + MINUTE;
    consume(Mode.ENFORCE, next, charge(hour("messages", next), 4, 3));
    long lagging = T0 + HOUR - MINUTE;

    assertResult(consume(Mode.ENFORCE, lagging, charge(hour("messages", lagging), 4, 2)), Status.DENIED,
        longs(3), bools(false));
    assertResult(consume(Mode.CHECK, lagging, charge(hour("messages", lagging), 4, 1)), Status.APPLIED,
        longs(3), bools(true));
    assertResult(consume(Mode.ENFORCE, lagging, charge(hour("messages", lagging), 4, 1)), Status.APPLIED,
        longs(4), bools(true));

    assertThat(used(hour("messages", next), next)).isEqualTo(4);
    assertThat(snapshot(SUBJECT, next).get("messages@hour"))
        .isEqualTo(new SlotUsage("messages@hour", T0 + HOUR, 4));
  }

  @Test
  void aReservationWithAnEarlierPeriodCountsAgainstTheNewerOne() {
    long next = T0 + HOUR + MINUTE;
    consume(Mode.ENFORCE, next, charge(hour("messages", next), 10, 3));
    long lagging = T0 + HOUR - MINUTE;

    assertThat(reserve("r-1", next + HOUR, lagging, charge(hour("messages", lagging), 10, 5)).status())
        .isEqualTo(Status.APPLIED);
    assertThat(used(hour("messages", next), next)).isEqualTo(8);

    assertThat(settle("r-1", next, 2)).isEqualTo(SettleResult.SETTLED);
    assertThat(used(hour("messages", next), next)).isEqualTo(5);
  }

  @Test
  void onlyAWriteResetsACellNotAReadInALaterPeriod() {
    Slot hour = hour("messages", T0);
    consume(Mode.ENFORCE, T0 + 50 * MINUTE, charge(hour, 4, 4));
    long next = T0 + HOUR + MINUTE;

    // Reads and non-writes in the next hour: they see an empty period but must not reset the stored one.
    assertResult(consume(Mode.CHECK, next, charge(hour("messages", next), 4, 1)), Status.APPLIED, longs(0),
        bools(true));
    consume(Mode.REFUND, next, charge(hour("messages", next), 4, 1));
    assertThat(consume(Mode.ENFORCE, next, charge(hour("messages", next), 4, 5)).status())
        .isEqualTo(Status.DENIED);

    // A lagging instance still in the stored hour counts against it.
    long lagging = T0 + 59 * MINUTE;
    assertResult(consume(Mode.ENFORCE, lagging, charge(hour, 4, 1)), Status.DENIED, longs(4), bools(false));
    assertThat(used(hour, lagging)).isEqualTo(4);
  }

  @Test
  void forceAndRefundForAnEarlierPeriodAreDropped() {
    long next = T0 + HOUR + MINUTE;
    consume(Mode.ENFORCE, next, charge(hour("messages", next), 10, 3));
    long lagging = T0 + HOUR - MINUTE;

    ConsumeResult forced = consume(Mode.FORCE, lagging, charge(hour("messages", lagging), 10, 20));
    assertThat(forced.status()).isEqualTo(Status.APPLIED);
    assertThat(used(hour("messages", next), next)).isEqualTo(3);

    ConsumeResult refunded = consume(Mode.REFUND, lagging, charge(hour("messages", lagging), 10, 3));
    assertThat(refunded.status()).isEqualTo(Status.APPLIED);
    assertThat(used(hour("messages", next), next)).isEqualTo(3);
    assertThat(snapshot(SUBJECT, next).get("messages@hour"))
        .isEqualTo(new SlotUsage("messages@hour", T0 + HOUR, 3));
  }

  @Test
  void aRollingSlotCountsItsLookbackBucketsAndStopsAfterThem() {
    long bucket = 5 * MINUTE;
    int lookback = 11;
    consume(Mode.ENFORCE, T0, charge(rolling("calls", T0, bucket, lookback), 10, 4));
    long t1 = T0 + 3 * bucket;
    consume(Mode.ENFORCE, t1, charge(rolling("calls", t1, bucket, lookback), 10, 5));

    long lastWithFirst = T0 + lookback * bucket + bucket - 1;
    assertResult(consume(Mode.ENFORCE, lastWithFirst, charge(rolling("calls", lastWithFirst, bucket, lookback),
        10, 2)), Status.DENIED, longs(9), bools(false));
    assertResult(consume(Mode.CHECK, lastWithFirst, charge(rolling("calls", lastWithFirst, bucket, lookback),
        10, 1)), Status.APPLIED, longs(9), bools(true));

    long firstGone = T0 + (lookback + 1) * bucket;
    assertResult(consume(Mode.ENFORCE, firstGone, charge(rolling("calls", firstGone, bucket, lookback), 10, 2)),
        Status.APPLIED, longs(7), bools(true));

    long secondGone = t1 + (lookback + 1) * bucket;
    assertThat(used(rolling("calls", secondGone, bucket, lookback), secondGone)).isEqualTo(2);
    long allGone = firstGone + (lookback + 1) * bucket;
    assertThat(used(rolling("calls", allGone, bucket, lookback), allGone)).isZero();
  }

  @Test
  void aRollingSlotIsEmptyAfterALongPause() {
    long bucket = MINUTE;
    consume(Mode.ENFORCE, T0, charge(rolling("calls", T0, bucket, 3), 5, 5));
    long later = T0 + 37 * DAY + 17;

    assertResult(consume(Mode.ENFORCE, later, charge(rolling("calls", later, bucket, 3), 5, 5)), Status.APPLIED,
        longs(5), bools(true));
  }

  @Test
  void aLifetimeSlotNeverResets() {
    Slot slot = lifetime("redemptions");
    consume(Mode.ENFORCE, T0, charge(slot, 3, 2));
    long tenYears = T0 + 3653 * DAY;

    assertResult(consume(Mode.ENFORCE, tenYears, charge(slot, 3, 2)), Status.DENIED, longs(2), bools(false));
    assertResult(consume(Mode.ENFORCE, tenYears, charge(slot, 3, 1)), Status.APPLIED, longs(3), bools(true));

    assertThat(counter.purge(tenYears, 100)).isLessThan(100);
    assertThat(snapshot(SUBJECT, tenYears)).containsEntry(slot.key(), new SlotUsage(slot.key(), 0, 3));
  }
}
