package dev.limits.testkit;

import static dev.limits.testkit.UsageCounterContract.HOUR;
import static dev.limits.testkit.UsageCounterContract.MINUTE;
import static dev.limits.testkit.UsageCounterContract.T0;
import static dev.limits.testkit.UsageCounterContract.charge;
import static dev.limits.testkit.UsageCounterContract.day;
import static dev.limits.testkit.UsageCounterContract.hour;
import static dev.limits.testkit.UsageCounterContract.rolling;
import static org.assertj.core.api.Assertions.assertThat;

import dev.limits.spi.ConsumeRequest.Mode;
import dev.limits.spi.ConsumeResult;
import dev.limits.spi.ConsumeResult.Status;
import dev.limits.spi.Slot;
import org.junit.jupiter.api.Test;

/** Refunds: they subtract, never below zero, from the period or rolling bucket they name, if it still counts. */
abstract class RefundTopic extends ContractTopic {

  RefundTopic(UsageCounterContract contract) {
    super(contract);
  }

  @Test
  void refundSubtractsFromTheCell() {
    Slot slot = hour("messages", T0);
    consume(Mode.ENFORCE, T0, charge(slot, 10, 7), charge(day("tokens", T0), 100, 60));

    assertResult(consume(Mode.REFUND, T0 + 1, charge(slot, 10, 3), charge(day("tokens", T0), 100, 10)),
        Status.APPLIED, longs(4, 50), bools(true, true));
    assertThat(used(slot, T0 + 2)).isEqualTo(4);
    assertThat(used(day("tokens", T0), T0 + 2)).isEqualTo(50);
  }

  @Test
  void refundNeverGoesBelowZero() {
    Slot slot = hour("messages", T0);
    consume(Mode.ENFORCE, T0, charge(slot, 10, 2));

    assertThat(consume(Mode.REFUND, T0, charge(slot, 10, 5)).used(0)).isZero();
    assertThat(used(slot, T0)).isZero();
    consume(Mode.REFUND, T0, charge(hour("never-used", T0), 10, 5));
    assertThat(used(hour("never-used", T0), T0)).isZero();

    assertResult(consume(Mode.ENFORCE, T0, charge(slot, 10, 10)), Status.APPLIED, longs(10), bools(true));
  }

  @Test
  void refundForAPeriodTheCellHasLeftIsDropped() {
    consume(Mode.ENFORCE, T0, charge(hour("messages", T0), 10, 5));
    long next = T0 + HOUR;
    consume(Mode.ENFORCE, next, charge(hour("messages", next), 10, 2));

    consume(Mode.REFUND, next, charge(hour("messages", T0), 10, 5));

    assertThat(used(hour("messages", next), next)).isEqualTo(2);
  }

  @Test
  void refundForAPeriodNotYetCountedChangesNothing() {
    consume(Mode.ENFORCE, T0, charge(hour("messages", T0), 10, 5));
    long next = T0 + HOUR;

    ConsumeResult result = consume(Mode.REFUND, T0 + 1, charge(hour("messages", next), 10, 2));

    assertThat(result.status()).isEqualTo(Status.APPLIED);
    assertThat(used(hour("messages", T0), T0 + 1)).isEqualTo(5);
    assertThat(used(hour("messages", next), next)).isZero();
    assertResult(consume(Mode.ENFORCE, next, charge(hour("messages", next), 10, 10)), Status.APPLIED, longs(10),
        bools(true));
  }

  @Test
  void refundForARollingBucketGoesToThatBucket() {
    long bucket = 5 * MINUTE;
    consume(Mode.ENFORCE, T0, charge(rolling("calls", T0, bucket, 11), 100, 4));
    long t1 = T0 + bucket;
    consume(Mode.ENFORCE, t1, charge(rolling("calls", t1, bucket, 11), 100, 3));

    consume(Mode.REFUND, t1, charge(rolling("calls", T0, bucket, 11), 100, 2));
    assertThat(used(rolling("calls", t1, bucket, 11), t1)).isEqualTo(5);

    long firstGone = T0 + 12 * bucket;
    assertThat(used(rolling("calls", firstGone, bucket, 11), firstGone)).isEqualTo(3);
  }
}
