package dev.limits.testkit;

import static dev.limits.testkit.UsageCounterContract.HOUR;
import static dev.limits.testkit.UsageCounterContract.SUBJECT;
import static dev.limits.testkit.UsageCounterContract.T0;
import static dev.limits.testkit.UsageCounterContract.charge;
import static dev.limits.testkit.UsageCounterContract.day;
import static dev.limits.testkit.UsageCounterContract.hour;
import static dev.limits.testkit.UsageCounterContract.lifetime;
import static org.assertj.core.api.Assertions.assertThat;

import dev.limits.spi.Charge;
import dev.limits.spi.ConsumeRequest.Mode;
import dev.limits.spi.ConsumeResult;
import dev.limits.spi.ConsumeResult.Status;
import dev.limits.spi.Slot;
import dev.limits.spi.SlotUsage;
import org.junit.jupiter.api.Test;

/**
 * Consume: all or nothing over several charges, the fit rules of {@link dev.limits.spi.Charge}, CHECK that counts
 * nothing and FORCE that counts past a limit.
 */
abstract class ConsumeTopic extends ContractTopic {

  ConsumeTopic(UsageCounterContract contract) {
    super(contract);
  }

  @Test
  void enforceCountsEveryChargeAndReportsUsageAfterIt() {
    Charge hour = charge(hour("messages", T0), 10, 3);
    Charge day = charge(day("messages", T0), 20, 3);
    Charge tokens = charge(day("tokens", T0), 1000, 250);

    assertResult(consume(Mode.ENFORCE, T0, hour, day, tokens), Status.APPLIED,
        longs(3, 3, 250), bools(true, true, true));
    assertResult(consume(Mode.ENFORCE, T0 + 1, hour, day, tokens), Status.APPLIED,
        longs(6, 6, 500), bools(true, true, true));

    assertThat(used(hour("messages", T0), T0 + 2)).isEqualTo(6);
    assertThat(used(day("messages", T0), T0 + 2)).isEqualTo(6);
    assertThat(used(day("tokens", T0), T0 + 2)).isEqualTo(500);
  }

  @Test
  void aRequestThatFitsTheHourButNotTheDayCountsNothingInEither() {
    consume(Mode.ENFORCE, T0, charge(day("messages", T0), 10, 8), charge(day("tokens", T0), 1000, 100));
    long later = T0 + 3 * HOUR;
    Charge hour = charge(hour("messages", later), 5, 3);
    Charge day = charge(day("messages", later), 10, 3);
    Charge tokens = charge(day("tokens", later), 1000, 100);

    ConsumeResult result = consume(Mode.ENFORCE, later, hour, day, tokens);

    assertResult(result, Status.DENIED, longs(0, 8, 100), bools(true, false, true));
    assertThat(used(hour("messages", later), later)).isZero();
    assertThat(used(day("messages", later), later)).isEqualTo(8);
    assertThat(used(day("tokens", later), later)).isEqualTo(100);
  }

  @Test
  void aDenialInTheLastChargeUndoesNothingBecauseNothingWasCounted() {
    Charge a = charge(hour("a", T0), 100, 10);
    Charge b = charge(hour("b", T0), 100, 10);
    Charge c = charge(hour("c", T0), 5, 10);

    assertResult(consume(Mode.ENFORCE, T0, a, b, c), Status.DENIED, longs(0, 0, 0), bools(true, true, false));

    assertThat(counter.snapshot(SUBJECT, T0).stream().mapToLong(SlotUsage::used).sum()).isZero();
    assertThat(used(hour("a", T0), T0)).isZero();
    assertThat(used(hour("b", T0), T0)).isZero();
  }

  @Test
  void checkCountsNothingAndReportsFitsPerCharge() {
    consume(Mode.ENFORCE, T0, charge(hour("messages", T0), 10, 7));
    Charge fitting = charge(hour("messages", T0), 10, 3);
    Charge tooMuch = charge(day("tokens", T0), 50, 51);

    assertResult(consume(Mode.CHECK, T0, fitting), Status.APPLIED, longs(7), bools(true));
    assertResult(consume(Mode.CHECK, T0, fitting, tooMuch), Status.DENIED, longs(7, 0), bools(true, false));
    assertResult(consume(Mode.CHECK, T0, fitting), Status.APPLIED, longs(7), bools(true));

    assertThat(used(hour("messages", T0), T0)).isEqualTo(7);
    assertThat(used(day("tokens", T0), T0)).isZero();
  }

  @Test
  void checkWithAnOperationIdDoesNotUseItUp() {
    Charge c = charge(hour("messages", T0), 10, 4);

    assertThat(consume(Mode.CHECK, "op-1", T0, c).status()).isEqualTo(Status.APPLIED);
    assertResult(consume(Mode.ENFORCE, "op-1", T0, c), Status.APPLIED, longs(4), bools(true));
    assertThat(used(hour("messages", T0), T0)).isEqualTo(4);
  }

  @Test
  void aChargeFitsUpToAndIncludingTheLimit() {
    Slot slot = hour("messages", T0);

    assertResult(consume(Mode.ENFORCE, T0, charge(slot, 10, 9)), Status.APPLIED, longs(9), bools(true));
    assertResult(consume(Mode.ENFORCE, T0, charge(slot, 10, 2)), Status.DENIED, longs(9), bools(false));
    assertResult(consume(Mode.ENFORCE, T0, charge(slot, 10, 1)), Status.APPLIED, longs(10), bools(true));
    assertResult(consume(Mode.ENFORCE, T0, charge(slot, 10, 1)), Status.DENIED, longs(10), bools(false));
    assertThat(used(slot, T0)).isEqualTo(10);
  }

  @Test
  void aZeroChargeFitsOnlyWhileUsageIsBelowTheLimit() {
    Slot slot = day("cost", T0);

    assertResult(consume(Mode.ENFORCE, T0, charge(slot, 3, 0)), Status.APPLIED, longs(0), bools(true));
    consume(Mode.ENFORCE, T0, charge(slot, 3, 2));
    assertResult(consume(Mode.ENFORCE, T0, charge(slot, 3, 0)), Status.APPLIED, longs(2), bools(true));
    consume(Mode.ENFORCE, T0, charge(slot, 3, 1));
    assertResult(consume(Mode.ENFORCE, T0, charge(slot, 3, 0)), Status.DENIED, longs(3), bools(false));
    assertResult(consume(Mode.CHECK, T0, charge(slot, 3, 0)), Status.DENIED, longs(3), bools(false));
    assertResult(consume(Mode.ENFORCE, T0, charge(day("other", T0), 0, 0)), Status.DENIED, longs(0),
        bools(false));
    assertThat(used(slot, T0)).isEqualTo(3);
  }

  @Test
  void aZeroLimitAdmitsNothing() {
    Slot slot = hour("messages", T0);

    assertResult(consume(Mode.ENFORCE, T0, charge(slot, 0, 1)), Status.DENIED, longs(0), bools(false));
    assertThat(used(slot, T0)).isZero();
  }

  @Test
  void anOverflowingSumDoesNotFitAndNeverWraps() {
    Slot slot = lifetime("bytes");
    consume(Mode.FORCE, T0, charge(slot, 0, Long.MAX_VALUE - 5));

    assertResult(consume(Mode.ENFORCE, T0, charge(slot, Long.MAX_VALUE, 10)), Status.DENIED,
        longs(Long.MAX_VALUE - 5), bools(false));
    assertResult(consume(Mode.ENFORCE, T0, charge(slot, Long.MAX_VALUE, Long.MAX_VALUE)), Status.DENIED,
        longs(Long.MAX_VALUE - 5), bools(false));
    assertResult(consume(Mode.CHECK, T0, charge(slot, Long.MAX_VALUE, Long.MAX_VALUE)), Status.DENIED,
        longs(Long.MAX_VALUE - 5), bools(false));
    assertResult(consume(Mode.ENFORCE, T0, charge(slot, Long.MAX_VALUE, 5)), Status.APPLIED,
        longs(Long.MAX_VALUE), bools(true));
    assertThat(used(slot, T0)).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void forceCountsPastTheLimit() {
    Slot slot = hour("messages", T0);
    consume(Mode.ENFORCE, T0, charge(slot, 10, 8));

    assertResult(consume(Mode.FORCE, T0, charge(slot, 10, 5), charge(day("tokens", T0), 0, 7)),
        Status.APPLIED, longs(13, 7), bools(false, false));

    assertThat(used(slot, T0)).isEqualTo(13);
    assertThat(used(day("tokens", T0), T0)).isEqualTo(7);
    assertResult(consume(Mode.ENFORCE, T0, charge(slot, 10, 0)), Status.DENIED, longs(13), bools(false));
  }

  @Test
  void forceSaturatesAtLongMaxValue() {
    Slot slot = lifetime("bytes");

    consume(Mode.FORCE, T0, charge(slot, 0, Long.MAX_VALUE - 1));
    assertResult(consume(Mode.FORCE, T0, charge(slot, 0, 10)), Status.APPLIED, longs(Long.MAX_VALUE),
        bools(false));
    assertResult(consume(Mode.FORCE, T0, charge(slot, 0, Long.MAX_VALUE)), Status.APPLIED,
        longs(Long.MAX_VALUE), bools(false));

    assertThat(used(slot, T0)).isEqualTo(Long.MAX_VALUE);
    assertThat(snapshot(SUBJECT, T0)).extractingByKey(slot.key()).extracting(SlotUsage::used)
        .isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void keysAreIndependentCells() {
    consume(Mode.ENFORCE, T0, charge(hour("messages", T0), 5, 5));

    assertThat(consume(Mode.ENFORCE, T0, charge(hour("tokens", T0), 5, 5)).status()).isEqualTo(Status.APPLIED);
    assertThat(consume(Mode.ENFORCE, T0, charge(day("messages", T0), 5, 5)).status()).isEqualTo(Status.APPLIED);
    assertThat(used(hour("messages", T0), T0)).isEqualTo(5);
  }
}
