package dev.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.limits.spi.UsageCounter;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@link Limiter} over the in-memory counter, whose route to the cells skips building requests: decisions
 * that build their usage once, frames that roll over at a period boundary, and tryConsume's rules.
 */
class LimiterInMemoryTest {

  static final Metric MESSAGES = Metric.count("messages");
  static final Metric TOKENS = Metric.tokens("tokens");

  @Test
  void anAllowedDecisionBuildsItsUsageOnceAndKeepsIt() {
    LimitPolicy policy = LimitPolicy.builder("p")
        .quota(MESSAGES, Window.hour(), 10)
        .quota(TOKENS, Window.day(), 1_000)
        .quota(MESSAGES, Window.day(), 20)
        .build();
    Instant t = Instant.parse("2026-03-02T10:15:00Z");
    Limiter limiter = Limiter.builder(UsageCounters.inMemory()).clock(() -> t).build();
    limiter.consume(policy, LimitRequest.of("u").amount(MESSAGES, 1));
    Decision d = limiter.consume(policy, LimitRequest.of("u").amount(MESSAGES, 2));

    assertThat(d.usage()).extracting(u -> u.quota().id(), QuotaUsage::used)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("messages@hour", 3L),
            org.assertj.core.groups.Tuple.tuple("messages@day", 3L));
    assertThat(d.usage()).isSameAs(d.usage());
    assertThat(d.usage().get(0).period()).isEqualTo(Window.hour().periodAt(t, policy.zone()));
  }

  @Test
  void theFrameRollsOverAtAPeriodBoundary() {
    LimitPolicy policy = LimitPolicy.builder("p").quota(MESSAGES, Window.hour(), 2).build();
    AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-03-02T10:59:59.999Z"));
    Limiter limiter = Limiter.builder(UsageCounters.inMemory()).clock(now::get).build();
    LimitRequest one = LimitRequest.of("u").amount(MESSAGES, 1);

    assertThat(limiter.consume(policy, one).isAllowed()).isTrue();
    assertThat(limiter.consume(policy, one).isAllowed()).isTrue();
    assertThat(limiter.consume(policy, one).isAllowed()).as("the hour is used up").isFalse();
    now.set(Instant.parse("2026-03-02T11:00:00Z"));
    Decision next = limiter.consume(policy, one);
    assertThat(next.isAllowed()).as("a new hour").isTrue();
    assertThat(next.usage().get(0).used()).isEqualTo(1);
    assertThat(next.usage().get(0).period().start()).isEqualTo(now.get());
    now.set(Instant.parse("2026-03-02T10:59:59.999Z"));
    Decision late = limiter.consume(policy, one);
    assertThat(late.isAllowed()).as("a lagging instance counts into the newer hour").isTrue();
    assertThat(late.usage().get(0).used()).isEqualTo(2);
    assertThat(limiter.usage(policy, "u").quotas().get(0).used()).as("the earlier hour was not reset")
        .isEqualTo(2);
  }

  @Test
  void tryConsumeAppliesRulesAndTellsListeners() {
    LimitPolicy policy = LimitPolicy.builder("p").allowModels("gpt-4o-mini")
        .quota(MESSAGES, Window.hour(), 2).build();
    List<Decision> told = new java.util.ArrayList<>();
    LimitListener listener = new LimitListener() {
      @Override
      public void onAllowed(LimitPolicy p, LimitRequest r, Decision d) {
        told.add(d);
      }

      @Override
      public void onDenied(LimitPolicy p, LimitRequest r, Decision d) {
        told.add(d);
      }
    };
    Instant t = Instant.parse("2026-03-02T10:15:00Z");
    Limiter limiter = Limiter.builder(UsageCounters.inMemory()).clock(() -> t).listener(listener).build();
    LimitRequest mini = LimitRequest.of("u").model("gpt-4o-mini").amount(MESSAGES, 1);

    assertThat(limiter.tryConsume(policy, LimitRequest.of("u").model("o3").amount(MESSAGES, 1)))
        .as("a model the plan does not allow").isFalse();
    assertThat(limiter.tryConsume(policy, mini)).isTrue();
    assertThat(limiter.tryConsume(policy, mini)).isTrue();
    assertThat(limiter.tryConsume(policy, mini)).as("the hour is used up").isFalse();
    assertThat(told).extracting(Decision::outcome).containsExactly(Decision.Outcome.FORBIDDEN,
        Decision.Outcome.ALLOWED, Decision.Outcome.ALLOWED, Decision.Outcome.QUOTA_EXCEEDED);
    assertThat(limiter.usage(policy, "u").quotas().get(0).used()).isEqualTo(2);
  }

  @Test
  void tryConsumeRejectsBadArgumentsAndCountsNothing() {
    LimitPolicy policy = LimitPolicy.builder("p").quota(MESSAGES, Window.hour(), 5).build();
    Limiter limiter = Limiter.builder(UsageCounters.inMemory())
        .clock(() -> Instant.parse("2026-03-02T10:15:00Z")).build();

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> limiter.tryConsume(policy,
            LimitRequest.of("u").amount(MESSAGES, 1).amount(TOKENS, 10)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown metric 'tokens'");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> limiter.tryConsume(null, LimitRequest.of("u")))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("policy");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> limiter.tryConsume(policy, null))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("request");
    assertThat(limiter.usage(policy, "u").quotas().get(0).used()).isZero();
    assertThat(limiter.tryConsume(policy, LimitRequest.of("u").amount(MESSAGES, 5))).isTrue();
    assertThat(limiter.tryConsume(policy, LimitRequest.of("u").amount(MESSAGES, 0)))
        .as("a zero amount needs room for one more, as consume has it").isFalse();
  }
}
