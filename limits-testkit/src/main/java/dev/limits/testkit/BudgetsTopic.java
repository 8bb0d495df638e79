package dev.limits.testkit;

import static dev.limits.testkit.UsageCounterContract.MINUTE;
import static dev.limits.testkit.UsageCounterContract.SUBJECT;
import static dev.limits.testkit.UsageCounterContract.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.limits.Amounts;
import dev.limits.Decision;
import dev.limits.Denial;
import dev.limits.LimitPolicy;
import dev.limits.LimitRequest;
import dev.limits.Limiter;
import dev.limits.Metric;
import dev.limits.QuotaUsage;
import dev.limits.Reservation;
import dev.limits.Window;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Nested budgets through the {@link Limiter}: a user's plan and their organisation's shared token pool
 * charged in one operation on the store under test, the denial naming the subject whose quota denied, and a
 * reservation settled on both.
 */
abstract class BudgetsTopic extends ContractTopic {

  private static final Metric MESSAGES = Metric.count("messages");
  private static final Metric TOKENS = Metric.tokens("tokens");
  private static final String ORG = "org-1";
  private static final LimitPolicy PLAN = LimitPolicy.builder("plan")
      .quota(MESSAGES, Window.day(), 10)
      .quota(TOKENS, Window.day(), 1_000)
      .build();
  private static final LimitPolicy POOL = LimitPolicy.builder("pool")
      .quota(TOKENS, Window.month(), 1_500)
      .build();

  BudgetsTopic(UsageCounterContract contract) {
    super(contract);
  }

  private Limiter limiter() {
    return Limiter.builder(counter).clock(FakeClock.at(Instant.ofEpochMilli(T0 + MINUTE))).build();
  }

  private static LimitRequest chat(String user, long tokens) {
    return LimitRequest.of(user).amount(MESSAGES, 1).amount(TOKENS, tokens).alsoCharge(ORG, POOL);
  }

  private static long used(Limiter limiter, LimitPolicy policy, String subject, String quotaId) {
    return limiter.usage(policy, subject).quota(quotaId).orElseThrow().used();
  }

  @Test
  void theOrganisationsPoolDeniesAndNothingIsCountedForTheUser() {
    Limiter limiter = limiter();
    assertThat(limiter.consume(PLAN, chat(SUBJECT, 900)).isAllowed()).isTrue();

    Decision d = limiter.consume(PLAN, chat("user-2", 700)); // user-2's own plan has room

    assertThat(d.outcome()).isEqualTo(Decision.Outcome.QUOTA_EXCEEDED);
    assertThat(d.denials()).extracting(Denial::subject, Denial::ruleId).containsExactly(
        org.assertj.core.groups.Tuple.tuple(ORG, "tokens@month"));
    assertThat(d.usage()).extracting(QuotaUsage::subject).containsExactly("user-2", "user-2", ORG);
    assertThat(used(limiter, PLAN, "user-2", "messages@day")).isZero();
    assertThat(used(limiter, PLAN, "user-2", "tokens@day")).isZero();
    assertThat(used(limiter, POOL, ORG, "tokens@month")).isEqualTo(900);
  }

  @Test
  void aReservationIsSettledOnTheUserAndTheOrganisation() {
    Limiter limiter = limiter();
    try (Reservation r = limiter.acquire(PLAN, chat(SUBJECT, 800))) {
      assertThat(r.isGranted()).isTrue();
      assertThat(limiter.consume(PLAN, chat("user-2", 800)).isAllowed()).as("the pool holds the estimate")
          .isFalse();
      r.commit(Amounts.of(TOKENS, 300));
    }
    assertThat(used(limiter, PLAN, SUBJECT, "tokens@day")).isEqualTo(300);
    assertThat(used(limiter, POOL, ORG, "tokens@month")).isEqualTo(300);
    assertThat(limiter.consume(PLAN, chat("user-2", 800)).isAllowed()).isTrue();
    assertThat(used(limiter, POOL, ORG, "tokens@month")).isEqualTo(1_100);
  }
}
