package dev.limits.testkit;

import static dev.limits.testkit.UsageCounterContract.DAY;
import static dev.limits.testkit.UsageCounterContract.HOUR;
import static dev.limits.testkit.UsageCounterContract.MINUTE;
import static dev.limits.testkit.UsageCounterContract.OTHER_SUBJECT;
import static dev.limits.testkit.UsageCounterContract.SUBJECT;
import static dev.limits.testkit.UsageCounterContract.T0;
import static dev.limits.testkit.UsageCounterContract.charge;
import static dev.limits.testkit.UsageCounterContract.day;
import static dev.limits.testkit.UsageCounterContract.hour;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.limits.Amounts;
import dev.limits.Limiter;
import dev.limits.Reservation;
import dev.limits.spi.Charge;
import dev.limits.spi.ConsumeRequest;
import dev.limits.spi.ConsumeRequest.Mode;
import dev.limits.spi.ConsumeResult;
import dev.limits.spi.ConsumeResult.Status;
import dev.limits.spi.SettleResult;
import dev.limits.spi.Slot;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Idempotency: an operation id counts once until it expires, a reuse for other charges answers MISMATCH, and a
 * denial is not remembered.
 */
abstract class IdempotencyTopic extends ContractTopic {

  IdempotencyTopic(UsageCounterContract contract) {
    super(contract);
  }

  @Test
  void aSecondConsumeWithTheSameIdChangesNothing() {
    Charge hour = charge(hour("messages", T0), 10, 3);
    Charge tokens = charge(day("tokens", T0), 1000, 200);

    assertThat(consume(Mode.ENFORCE, "op-1", T0, hour, tokens).status()).isEqualTo(Status.APPLIED);
    ConsumeResult again = consume(Mode.ENFORCE, "op-1", T0 + 1, hour, tokens);

    assertThat(again.status()).isEqualTo(Status.DUPLICATE);
    assertThat(again.isApplied()).isTrue();
    assertThat(again.size()).isEqualTo(2);
    assertThat(again.used(0)).as("usage as it stands").isEqualTo(3);
    assertThat(again.used(1)).as("usage as it stands").isEqualTo(200);
    assertThat(used(hour("messages", T0), T0 + 2)).isEqualTo(3);
    assertThat(used(day("tokens", T0), T0 + 2)).isEqualTo(200);
  }

  @Test
  void aReusedIdCountsNothingWhateverItsChargesOrMode() {
    Slot slot = hour("messages", T0);
    consume(Mode.ENFORCE, "op-1", T0, charge(slot, 10, 3));

    for (Mode mode : List.of(Mode.ENFORCE, Mode.FORCE, Mode.REFUND, Mode.RESERVE)) {
      assertThat(consume(mode, "op-1", T0, charge(slot, 10, 5), charge(day("tokens", T0), 100, 5)).status())
          .as(mode.name()).isEqualTo(Status.MISMATCH);
    }
    assertThat(used(slot, T0)).isEqualTo(3);
    assertThat(used(day("tokens", T0), T0)).isZero();
  }

  @Test
  void forceAndRefundWithAnIdCountOnce() {
    Slot slot = hour("messages", T0);
    consume(Mode.FORCE, "f-1", T0, charge(slot, 1, 5));
    consume(Mode.FORCE, "f-1", T0, charge(slot, 1, 5));
    assertThat(used(slot, T0)).isEqualTo(5);

    consume(Mode.REFUND, "r-1", T0, charge(slot, 1, 2));
    assertThat(consume(Mode.REFUND, "r-1", T0, charge(slot, 1, 2)).status()).isEqualTo(Status.DUPLICATE);
    assertThat(used(slot, T0)).isEqualTo(3);
  }

  @Test
  void aDeniedConsumeDoesNotRememberItsId() {
    Slot slot = hour("messages", T0);
    consume(Mode.ENFORCE, T0, charge(slot, 10, 9));

    assertThat(consume(Mode.ENFORCE, "op-1", T0, charge(slot, 10, 3)).status()).isEqualTo(Status.DENIED);
    consume(Mode.REFUND, T0, charge(slot, 10, 5));
    assertResult(consume(Mode.ENFORCE, "op-1", T0, charge(slot, 10, 3)), Status.APPLIED, longs(7), bools(true));
    assertThat(consume(Mode.ENFORCE, "op-1", T0, charge(slot, 10, 3)).status()).isEqualTo(Status.DUPLICATE);
    assertThat(used(slot, T0)).isEqualTo(7);
  }

  @Test
  void aDeniedReservationDoesNotRememberItsId() {
    Slot slot = hour("messages", T0);
    consume(Mode.ENFORCE, T0, charge(slot, 10, 9));

    assertThat(reserve("r-1", T0 + HOUR, T0, charge(slot, 10, 3)).status()).isEqualTo(Status.DENIED);
    assertThat(settle("r-1", T0, 0)).isEqualTo(SettleResult.NOT_FOUND);
    consume(Mode.REFUND, T0, charge(slot, 10, 9));
    assertThat(reserve("r-1", T0 + HOUR, T0, charge(slot, 10, 3)).status()).isEqualTo(Status.APPLIED);
    assertThat(used(slot, T0)).isEqualTo(3);
  }

  @Test
  void operationIdsStayRememberedUntilTheyExpire() {
    Slot slot = day("messages", T0);
    long expiresAt = T0 + HOUR;
    ConsumeRequest request = new ConsumeRequest(SUBJECT, List.of(charge(slot, 10, 2)), Mode.ENFORCE, "op-1",
        expiresAt, T0);
    counter.consume(request);

    assertThat(counter.purge(expiresAt - 1, 100)).isLessThan(100);
    assertThat(counter.consume(request).status()).isEqualTo(Status.DUPLICATE);
    assertThat(used(slot, T0)).isEqualTo(2);
  }

  @Test
  void purgeForgetsOperationIdsThatExpired() {
    Slot slot = day("messages", T0);
    long expiresAt = T0 + HOUR;
    counter.consume(new ConsumeRequest(SUBJECT, List.of(charge(slot, 10, 2)), Mode.ENFORCE, "op-1", expiresAt,
        T0));

    assertThat(counter.purge(expiresAt + 1, 100)).isPositive().isLessThan(100);
    long later = expiresAt + 2;
    ConsumeResult retry = counter.consume(new ConsumeRequest(SUBJECT, List.of(charge(slot, 10, 2)),
        Mode.ENFORCE, "op-1", later + HOUR, later));

    assertResult(retry, Status.APPLIED, longs(4), bools(true));
  }

  @Test
  void operationIdsOfOneSubjectDoNotAffectAnother() {
    Slot slot = hour("messages", T0);
    consume(Mode.ENFORCE, "op-1", T0, charge(slot, 10, 3));

    // A store may scope ids per subject or globally; either way the other subject's usage is its own.
    ConsumeResult other = counter.consume(new ConsumeRequest(OTHER_SUBJECT, List.of(charge(slot, 10, 4)),
        Mode.ENFORCE, "op-2", T0 + DAY, T0));
    assertThat(other.status()).isEqualTo(Status.APPLIED);
    assertThat(used(OTHER_SUBJECT, slot, T0)).isEqualTo(4);
    assertThat(used(slot, T0)).isEqualTo(3);
  }

  @Test
  void anIdReusedWithOtherAmountsKeysOrModeAnswersMismatchAndChangesNothing() {
    Charge messages = charge(hour("messages", T0), 10, 3);
    Charge tokens = charge(day("tokens", T0), 1000, 200);
    consume(Mode.ENFORCE, "op-1", T0, messages, tokens);

    ConsumeResult otherAmount = consume(Mode.ENFORCE, "op-1", T0, messages, charge(day("tokens", T0), 1000, 201));
    assertResult(otherAmount, Status.MISMATCH, longs(3, 200), bools(true, true));
    assertThat(otherAmount.isApplied()).isFalse();
    assertThat(consume(Mode.ENFORCE, "op-1", T0, messages).status()).as("a charge left out")
        .isEqualTo(Status.MISMATCH);
    assertThat(consume(Mode.ENFORCE, "op-1", T0, messages, tokens, charge(day("images", T0), 5, 1)).status())
        .as("a charge added").isEqualTo(Status.MISMATCH);
    assertThat(consume(Mode.ENFORCE, "op-1", T0, messages, charge(day("tokens-2", T0), 1000, 200)).status())
        .as("another key").isEqualTo(Status.MISMATCH);
    assertThat(consume(Mode.RESERVE, "op-1", T0, messages, tokens).status()).as("a reservation")
        .isEqualTo(Status.MISMATCH);
    assertThat(consume(Mode.REFUND, "op-1", T0, messages, tokens).status()).as("a refund")
        .isEqualTo(Status.MISMATCH);
    assertThat(used(hour("messages", T0), T0)).isEqualTo(3);
    assertThat(used(day("tokens", T0), T0)).isEqualTo(200);
    assertThat(used(day("images", T0), T0)).isZero();

    // The same charges are a retry whatever their order, limits or counting mode (FORCE counts as ENFORCE does).
    assertThat(consume(Mode.FORCE, "op-1", T0, charge(day("tokens", T0), 5, 200), charge(hour("messages", T0), 1, 3))
        .status()).isEqualTo(Status.DUPLICATE);
    assertThat(used(day("tokens", T0), T0)).isEqualTo(200);
  }

  @Test
  void aReservationRetriedWithOtherAmountsAnswersMismatchAndStaysIntact() {
    reserve("r-1", T0 + HOUR, T0, charge(hour("requests", T0), 10, 1), charge(day("tokens", T0), 1000, 600));

    assertThat(reserve("r-1", T0 + HOUR, T0, charge(hour("requests", T0), 10, 1),
        charge(day("tokens", T0), 1000, 700)).status()).isEqualTo(Status.MISMATCH);
    assertThat(consume(Mode.ENFORCE, "r-1", T0, charge(hour("requests", T0), 10, 1),
        charge(day("tokens", T0), 1000, 600)).status()).as("counted instead of reserved").isEqualTo(Status.MISMATCH);
    assertThat(used(day("tokens", T0), T0)).isEqualTo(600);
    assertThat(settle("r-1", T0, 1, 250)).isEqualTo(SettleResult.SETTLED);
    assertThat(used(day("tokens", T0), T0)).isEqualTo(250);
  }

  @Test
  void theSameChargesRetriedAfterAPeriodBoundaryAreStillADuplicate() {
    consume(Mode.ENFORCE, "op-1", T0 + 59 * MINUTE, charge(hour("messages", T0), 10, 3));
    reserve("r-1", T0 + 2 * HOUR, T0 + 59 * MINUTE, charge(hour("requests", T0), 10, 2));
    long next = T0 + HOUR + 1;

    assertThat(consume(Mode.ENFORCE, "op-1", next, charge(hour("messages", next), 10, 3)).status())
        .isEqualTo(Status.DUPLICATE);
    assertThat(reserve("r-1", T0 + 3 * HOUR, next, charge(hour("requests", next), 10, 2)).status())
        .isEqualTo(Status.DUPLICATE);
    assertThat(used(hour("messages", next), next)).isZero();
    assertThat(used(hour("requests", next), next)).isZero();
    assertThat(used(hour("messages", T0), T0 + 59 * MINUTE)).isEqualTo(3);
  }

  @Test
  void limiterRejectsAnIdempotencyKeyReusedForAnotherAmountAndKeepsTheOriginal() {
    Limiter limiter = retryLimiter();
    Reservation original = limiter.acquire(RETRY_PLAN, retryRequest("x", 100));
    assertThat(original.isGranted()).isTrue();

    assertThatThrownBy(() -> limiter.acquire(RETRY_PLAN, retryRequest("x", 200)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("idempotency key 'x' was first used for a different request");
    assertThat(retryPlanUsed(limiter, "tokens@day")).isEqualTo(100);
    assertThat(retryPlanUsed(limiter, "messages@day")).isEqualTo(1);
    original.commit(Amounts.of(RETRY_TOKENS, 80));
    assertThat(retryPlanUsed(limiter, "tokens@day")).isEqualTo(80);

    assertThat(limiter.consume(RETRY_PLAN, retryRequest("y", 10)).isAllowed()).isTrue();
    assertThatThrownBy(() -> limiter.consume(RETRY_PLAN, retryRequest("y", 20)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'y'");
    assertThat(limiter.consume(RETRY_PLAN, retryRequest("y", 10)).isAllowed()).as("a true retry").isTrue();
    assertThat(retryPlanUsed(limiter, "tokens@day")).isEqualTo(90);
    assertThat(retryPlanUsed(limiter, "messages@day")).isEqualTo(2);
  }
}
