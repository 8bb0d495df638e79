package dev.limits.testkit;

import static dev.limits.testkit.UsageCounterContract.HOUR;
import static dev.limits.testkit.UsageCounterContract.MINUTE;
import static dev.limits.testkit.UsageCounterContract.OTHER_SUBJECT;
import static dev.limits.testkit.UsageCounterContract.T0;
import static dev.limits.testkit.UsageCounterContract.charge;
import static dev.limits.testkit.UsageCounterContract.day;
import static dev.limits.testkit.UsageCounterContract.hour;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.limits.Amounts;
import dev.limits.Limiter;
import dev.limits.Reservation;
import dev.limits.spi.ConsumeRequest.Mode;
import dev.limits.spi.ConsumeResult;
import dev.limits.spi.ConsumeResult.Status;
import dev.limits.spi.SettleRequest;
import dev.limits.spi.SettleResult;
import dev.limits.spi.Slot;
import org.junit.jupiter.api.Test;

/**
 * Reservations: an estimate counted and enforced, settled once to the actual amount, refunded by purge once it
 * expires; and a limiter's reservation handles over them.
 */
abstract class ReservationTopic extends ContractTopic {

  private static final Slot RESERVED_REQUESTS = hour("requests", T0);
  private static final Slot RESERVED_TOKENS = day("tokens", T0);
  private static final long RESERVATION_EXPIRY = T0 + 10 * MINUTE;

  ReservationTopic(UsageCounterContract contract) {
    super(contract);
  }

  private ConsumeResult reserveEstimate(String id, long requestCount, long tokenCount) {
    return reserve(id, RESERVATION_EXPIRY, T0, charge(RESERVED_REQUESTS, 10, requestCount),
        charge(RESERVED_TOKENS, 1000, tokenCount));
  }

  @Test
  void aReservationCountsTheEstimateAndIsEnforced() {
    assertResult(reserveEstimate("r-1", 1, 600), Status.APPLIED, longs(1, 600), bools(true, true));
    assertResult(reserveEstimate("r-2", 1, 600), Status.DENIED, longs(1, 600), bools(true, false));

    assertThat(used(RESERVED_REQUESTS, T0)).isEqualTo(1);
    assertThat(used(RESERVED_TOKENS, T0)).isEqualTo(600);
  }

  @Test
  void settlingBelowTheEstimateGivesBackTheDifference() {
    reserveEstimate("r-1", 1, 600);

    assertThat(settle("r-1", T0 + MINUTE, 1, 250)).isEqualTo(SettleResult.SETTLED);

    assertThat(used(RESERVED_REQUESTS, T0 + MINUTE)).isEqualTo(1);
    assertThat(used(RESERVED_TOKENS, T0 + MINUTE)).isEqualTo(250);
  }

  @Test
  void settlingAboveTheEstimateCountsPastTheLimit() {
    reserveEstimate("r-1", 1, 600);
    consume(Mode.ENFORCE, T0, charge(RESERVED_TOKENS, 1000, 300));

    assertThat(settle("r-1", T0 + MINUTE, 1, 1500)).isEqualTo(SettleResult.SETTLED);

    assertThat(used(RESERVED_TOKENS, T0 + MINUTE)).isEqualTo(1800);
    assertResult(consume(Mode.ENFORCE, T0 + MINUTE, charge(RESERVED_TOKENS, 1000, 0)), Status.DENIED,
        longs(1800), bools(false));
  }

  @Test
  void settlingTwiceCountsOnce() {
    reserveEstimate("r-1", 1, 600);

    assertThat(settle("r-1", T0 + MINUTE, 1, 100)).isEqualTo(SettleResult.SETTLED);
    assertThat(settle("r-1", T0 + MINUTE, 1, 100)).isEqualTo(SettleResult.ALREADY_SETTLED);
    assertThat(settle("r-1", T0 + MINUTE, 1, 900)).isEqualTo(SettleResult.ALREADY_SETTLED);
    assertThat(settle("r-1", T0 + MINUTE, 0, 0)).isEqualTo(SettleResult.ALREADY_SETTLED);

    assertThat(used(RESERVED_REQUESTS, T0 + MINUTE)).isEqualTo(1);
    assertThat(used(RESERVED_TOKENS, T0 + MINUTE)).isEqualTo(100);
  }

  @Test
  void settlingAnUnknownReservationIsNotFound() {
    reserveEstimate("r-1", 1, 600);

    assertThat(settle("r-unknown", T0, 1, 100)).isEqualTo(SettleResult.NOT_FOUND);
    assertThat(counter.settle(new SettleRequest(OTHER_SUBJECT, "r-1", new long[] {1, 100}, T0)))
        .isEqualTo(SettleResult.NOT_FOUND);
    assertThat(counter.settle(new SettleRequest("nobody", "r-1", new long[] {1, 100}, T0)))
        .isEqualTo(SettleResult.NOT_FOUND);

    assertThat(used(RESERVED_TOKENS, T0)).isEqualTo(600);
  }

  @Test
  void settlingAnOperationThatWasNotAReservationIsNotFound() {
    consume(Mode.ENFORCE, "op-1", T0, charge(RESERVED_TOKENS, 1000, 600));

    assertThat(settle("op-1", T0, 100)).isEqualTo(SettleResult.NOT_FOUND);
    assertThat(used(RESERVED_TOKENS, T0)).isEqualTo(600);
  }

  @Test
  void settlingWithTheWrongNumberOfAmountsIsRejectedAndChangesNothing() {
    reserveEstimate("r-1", 1, 600);

    assertThatThrownBy(() -> settle("r-1", T0, 100)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("r-1").hasMessageContaining("2").hasMessageContaining("1");
    assertThatThrownBy(() -> settle("r-1", T0, 1, 100, 5)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("3");
    assertThatThrownBy(() -> settle("r-1", T0)).isInstanceOf(IllegalArgumentException.class);

    assertThat(used(RESERVED_TOKENS, T0)).isEqualTo(600);
    assertThat(settle("r-1", T0, 1, 100)).isEqualTo(SettleResult.SETTLED);
    assertThat(used(RESERVED_TOKENS, T0)).isEqualTo(100);
  }

  @Test
  void cancellingIsSettlingWithZeros() {
    reserveEstimate("r-1", 1, 600);

    assertThat(settle("r-1", T0 + MINUTE, 0, 0)).isEqualTo(SettleResult.SETTLED);

    assertThat(used(RESERVED_REQUESTS, T0 + MINUTE)).isZero();
    assertThat(used(RESERVED_TOKENS, T0 + MINUTE)).isZero();
    assertThat(settle("r-1", T0 + MINUTE, 1, 600)).isEqualTo(SettleResult.CANCELLED);
    assertThat(used(RESERVED_TOKENS, T0 + MINUTE)).isZero();
  }

  @Test
  void aReservationIdIsADuplicateAfterSettling() {
    reserveEstimate("r-1", 1, 600);
    settle("r-1", T0, 0, 0);

    assertThat(reserveEstimate("r-1", 1, 600).status()).isEqualTo(Status.DUPLICATE);
    assertThat(used(RESERVED_TOKENS, T0)).isZero();
  }

  @Test
  void settlingAfterTheCellMovedOnLeavesTheNewPeriodAlone() {
    reserve("r-1", T0 + 2 * HOUR, T0, charge(RESERVED_REQUESTS, 10, 2));
    reserve("r-2", T0 + 2 * HOUR, T0, charge(RESERVED_REQUESTS, 10, 5));
    long next = T0 + HOUR;
    consume(Mode.ENFORCE, next, charge(hour("requests", next), 10, 1));

    assertThat(settle("r-1", next, 9)).isEqualTo(SettleResult.SETTLED);
    assertThat(settle("r-2", next, 0)).isEqualTo(SettleResult.SETTLED);
    assertThat(used(hour("requests", next), next)).isEqualTo(1);
  }

  @Test
  void refundingAnExpiredReservationAfterTheCellMovedOnLeavesTheNewPeriodAlone() {
    reserve("r-1", T0 + HOUR + 30 * MINUTE, T0, charge(RESERVED_REQUESTS, 10, 5));
    long next = T0 + HOUR + MINUTE;
    consume(Mode.ENFORCE, next, charge(hour("requests", next), 10, 3));

    long afterExpiry = T0 + HOUR + 31 * MINUTE;
    assertThat(counter.purge(afterExpiry, 100)).isPositive().isLessThan(100);

    assertThat(used(hour("requests", afterExpiry), afterExpiry)).isEqualTo(3);
    assertThat(settle("r-1", afterExpiry, 0)).isEqualTo(SettleResult.NOT_FOUND);
  }

  @Test
  void purgeRefundsAnExpiredReservationExactlyOnce() {
    reserveEstimate("r-1", 1, 600);
    reserve("r-2", RESERVATION_EXPIRY + HOUR, T0, charge(RESERVED_TOKENS, 1000, 100));
    long afterExpiry = RESERVATION_EXPIRY + 1;

    assertThat(counter.purge(afterExpiry, 100)).isPositive().isLessThan(100);
    assertThat(used(RESERVED_REQUESTS, afterExpiry)).isZero();
    assertThat(used(RESERVED_TOKENS, afterExpiry)).isEqualTo(100);

    assertThat(counter.purge(afterExpiry, 100)).isLessThan(100);
    assertThat(counter.purge(afterExpiry + MINUTE, 100)).isLessThan(100);
    assertThat(used(RESERVED_TOKENS, afterExpiry)).isEqualTo(100);
    assertThat(used(RESERVED_REQUESTS, afterExpiry)).isZero();
  }

  @Test
  void settlingAfterTheExpiryRefundIsNotFound() {
    reserveEstimate("r-1", 1, 600);
    counter.purge(RESERVATION_EXPIRY + 1, 100);

    assertThat(settle("r-1", RESERVATION_EXPIRY + 2, 1, 600)).isEqualTo(SettleResult.NOT_FOUND);
    assertThat(used(RESERVED_TOKENS, RESERVATION_EXPIRY + 2)).isZero();
    assertThat(used(RESERVED_REQUESTS, RESERVATION_EXPIRY + 2)).isZero();
  }

  @Test
  void purgeLeavesLiveAndSettledReservationsAlone() {
    reserveEstimate("live", 1, 300);
    reserveEstimate("settled", 1, 300);
    settle("settled", T0, 1, 200);

    counter.purge(RESERVATION_EXPIRY - 1, 100);
    assertThat(used(RESERVED_TOKENS, T0)).isEqualTo(500);
    counter.purge(RESERVATION_EXPIRY + 1, 100);
    assertThat(used(RESERVED_TOKENS, RESERVATION_EXPIRY + 1)).isEqualTo(200);
    assertThat(used(RESERVED_REQUESTS, RESERVATION_EXPIRY + 1)).isEqualTo(1);
  }

  @Test
  void settlingAfterACancelAnswersCancelledAndAfterACommitAlreadySettled() {
    reserveEstimate("cancelled", 1, 300);
    reserveEstimate("committed", 1, 300);
    assertThat(settle("cancelled", T0, 0, 0)).isEqualTo(SettleResult.SETTLED);
    assertThat(settle("committed", T0, 1, 200)).isEqualTo(SettleResult.SETTLED);

    assertThat(settle("cancelled", T0, 1, 250)).isEqualTo(SettleResult.CANCELLED);
    assertThat(settle("cancelled", T0, 0, 0)).isEqualTo(SettleResult.CANCELLED);
    assertThat(settle("committed", T0, 1, 250)).isEqualTo(SettleResult.ALREADY_SETTLED);
    assertThat(settle("committed", T0, 0, 0)).isEqualTo(SettleResult.ALREADY_SETTLED);
    assertThat(used(RESERVED_TOKENS, T0)).isEqualTo(200);
    assertThat(used(RESERVED_REQUESTS, T0)).isEqualTo(1);
  }

  @Test
  void limiterCountsACommitAfterARetriedHandleOfItsReservationWasClosed() {
    Limiter limiter = retryLimiter();
    Reservation first = limiter.acquire(RETRY_PLAN, retryRequest("x", 100));
    Reservation retry = limiter.acquire(RETRY_PLAN, retryRequest("x", 100));
    assertThat(first.isGranted()).isTrue();
    assertThat(retry.isGranted()).isTrue();
    assertThat(first.isRetry()).isFalse();
    assertThat(retry.isRetry()).isTrue();
    assertThat(retryPlanUsed(limiter, "tokens@day")).as("one reservation").isEqualTo(100);

    retry.close();
    assertThat(retryPlanUsed(limiter, "tokens@day")).isZero();
    first.commit(Amounts.of(RETRY_TOKENS, 80));

    assertThat(retryPlanUsed(limiter, "tokens@day")).as("the call ran: its actual amount counts").isEqualTo(80);
    assertThat(retryPlanUsed(limiter, "messages@day")).isEqualTo(1);
  }

  @Test
  void limiterCountsOneOfTwoHandlesCommittingOneReservationAndTheOtherThrows() {
    Limiter limiter = retryLimiter();
    Reservation first = limiter.acquire(RETRY_PLAN, retryRequest("x", 100));
    Reservation retry = limiter.acquire(RETRY_PLAN, retryRequest("x", 100));

    first.commit(Amounts.of(RETRY_TOKENS, 80));
    assertThatThrownBy(() -> retry.commit(Amounts.of(RETRY_TOKENS, 90)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("reservation x")
        .hasMessageContaining("already committed").hasMessageContaining("not counted");
    retry.close(); // after another handle's commit: changes nothing
    assertThat(retryPlanUsed(limiter, "tokens@day")).isEqualTo(80);
    assertThat(retryPlanUsed(limiter, "messages@day")).isEqualTo(1);

    // The same after a cancel: the first commit counts, a second one throws.
    Reservation third = limiter.acquire(RETRY_PLAN, retryRequest("z", 100));
    Reservation fourth = limiter.acquire(RETRY_PLAN, retryRequest("z", 100));
    Reservation fifth = limiter.acquire(RETRY_PLAN, retryRequest("z", 100));
    third.cancel();
    fourth.commit(Amounts.of(RETRY_TOKENS, 30));
    assertThatThrownBy(() -> fifth.commit(Amounts.of(RETRY_TOKENS, 30)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("reservation z");
    fifth.cancel();
    assertThat(retryPlanUsed(limiter, "tokens@day")).isEqualTo(110);
    assertThat(retryPlanUsed(limiter, "messages@day")).isEqualTo(2);
  }
}
