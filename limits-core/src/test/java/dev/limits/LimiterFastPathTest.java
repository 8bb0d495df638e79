package dev.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.limits.spi.ConsumeRequest;
import dev.limits.spi.ConsumeResult;
import dev.limits.spi.SettleRequest;
import dev.limits.spi.SettleResult;
import dev.limits.spi.SlotUsage;
import dev.limits.spi.UsageCounter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Limiter#consume} over the in-memory counter takes a fast path (a precompiled frame of the policy's
 * periods, no charges, a decision that builds its usage on demand). These tests hold it to the general path,
 * which runs when the counter is any other {@link UsageCounter}: here the same in-memory counter behind a
 * plain delegate.
 */
class LimiterFastPathTest {

  static final Metric MESSAGES = Metric.count("messages");
  static final Metric TOKENS = Metric.tokens("tokens");
  static final ModelGroup PREMIUM = ModelGroup.of("premium", "gpt-4o", "o3");

  /** The in-memory counter hidden behind an interface, so that the limiter cannot take the fast path. */
  record Delegate(UsageCounter counter) implements UsageCounter {
    @Override
    public ConsumeResult consume(ConsumeRequest request) {
      return counter.consume(request);
    }

    @Override
    public SettleResult settle(SettleRequest request) {
      return counter.settle(request);
    }

    @Override
    public List<SlotUsage> snapshot(String subject, long now) {
      return counter.snapshot(subject, now);
    }

    @Override
    public int purge(long now, int maxItems) {
      return counter.purge(now, maxItems);
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6})
  void decisionsEqualThoseOfTheGeneralPath(long seed) {
    Random random = new Random(seed);
    ZoneId zone = ZoneId.of(List.of("Europe/Berlin", "Asia/Tehran", "UTC").get((int) (seed % 3)));
    LimitPolicy policy = LimitPolicy.builder("fast").zone(zone)
        .allowModels("gpt-4o-mini", "gpt-4o", "o3")
        .quota(MESSAGES, Window.hour(), 5)
        .quota(MESSAGES, Window.day(), 12)
        .quota(MESSAGES, Window.rolling(Duration.ofMinutes(30), Duration.ofMinutes(5)), 4)
        .quota(TOKENS, Window.day(), 6_000)
        .quota(TOKENS, Window.day(), 2_000, PREMIUM)
        .quota(MESSAGES, Window.week(), 40, PREMIUM)
        .build();
    compareWithTheGeneralPath(policy, random);
  }

  /** A plan whose quotas all count one metric for every model: each charges every quota, in order. */
  @ParameterizedTest
  @ValueSource(longs = {7, 8, 9})
  void decisionsOfAPlanOnOneMetricEqualThoseOfTheGeneralPath(long seed) {
    Random random = new Random(seed);
    ZoneId zone = ZoneId.of(List.of("Europe/Berlin", "Asia/Tehran", "UTC").get((int) (seed % 3)));
    LimitPolicy policy = LimitPolicy.builder("one metric").zone(zone)
        .quota(MESSAGES, Window.hour(), 5)
        .quota(MESSAGES, Window.hours(3), 9)
        .quota(MESSAGES, Window.day(), 12)
        .quota(MESSAGES, Window.rolling(Duration.ofMinutes(30), Duration.ofMinutes(5)), 4)
        .quota(MESSAGES, Window.week(), 40)
        .quota(MESSAGES, Window.month(), 100)
        .build();
    compareWithTheGeneralPath(policy, random);
  }

  private static void compareWithTheGeneralPath(LimitPolicy policy, Random random) {
    AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-03-01T22:50:00Z")
        .plus(Duration.ofMinutes(random.nextInt(60 * 24 * 30))));
    Limiter fast = Limiter.builder(UsageCounters.inMemory()).clock(now::get).warningThreshold(0.6).build();
    Limiter general = Limiter.builder(new Delegate(UsageCounters.inMemory())).clock(now::get)
        .warningThreshold(0.6).build();
    List<String> models = List.of("gpt-4o-mini", "gpt-4o", "o3", "llama");
    int allowed = 0;
    int denied = 0;
    for (int step = 0; step < 2_000; step++) {
      now.updateAndGet(t -> t.plus(Duration.ofSeconds(random.nextInt(random.nextInt(10) == 0 ? 20_000 : 600))));
      LimitRequest request = LimitRequest.of("u" + random.nextInt(3));
      if (random.nextInt(5) != 0) {
        request = request.model(models.get(random.nextInt(models.size())));
      }
      if (random.nextInt(4) != 0) {
        request = request.amount(MESSAGES, random.nextInt(8) == 0 ? random.nextInt(3) * 2 : 1);
      }
      if (policy.metrics().containsKey(TOKENS.name()) && random.nextInt(3) != 0) {
        request = request.amount(TOKENS, random.nextInt(10) == 0 ? 0 : random.nextInt(800));
      }
      Decision a = fast.consume(policy, request);
      Decision b = general.consume(policy, request);
      String what = "step " + step + " at " + now.get() + ": " + request;
      assertThat(a.outcome()).as(what).isEqualTo(b.outcome());
      assertThat(a.at()).as(what).isEqualTo(b.at());
      assertThat(a.denials()).as(what).isEqualTo(b.denials());
      assertThat(a.usage()).as(what).isEqualTo(b.usage());
      assertThat(a.warnings()).as(what).isEqualTo(b.warnings());
      assertThat(a.retryAfter()).as(what).isEqualTo(b.retryAfter());
      assertThat(a.message(java.util.Locale.ENGLISH)).as(what).isEqualTo(b.message(java.util.Locale.ENGLISH));
      assertThat(a).as(what).hasToString(b.toString());
      assertThat(a.denials()).as(what).isSameAs(a.denials());
      if (a.outcome() == Decision.Outcome.ALLOWED) {
        allowed++;
      } else if (a.outcome() == Decision.Outcome.QUOTA_EXCEEDED) {
        denied++;
      }
    }
    assertThat(allowed).as("allowed decisions compared").isGreaterThan(200);
    assertThat(denied).as("quota denials compared").isGreaterThan(50);
  }

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

  /**
   * {@link Limiter#tryConsume} (and consume, whose common case shares its one pass over the cells) against
   * consume on the general path: the same answers and the same usage after every step, through new periods,
   * lagging clocks, purges, zero and huge amounts, and a second policy whose windows of the same metric come
   * in another order, so that a subject's cells are not at the positions either policy expects.
   */
  @ParameterizedTest
  @ValueSource(longs = {11, 12, 13, 14})
  void tryConsumeAnswersAndCountsAsConsumeOnTheGeneralPath(long seed) {
    Random random = new Random(seed);
    ZoneId zone = ZoneId.of(List.of("Europe/Berlin", "Asia/Tehran", "UTC").get((int) (seed % 3)));
    LimitPolicy sixWindows = LimitPolicy.builder("six").zone(zone)
        .quota(MESSAGES, Window.hour(), 5)
        .quota(MESSAGES, Window.hours(3), 8)
        .quota(MESSAGES, Window.hours(12), 30)
        .quota(MESSAGES, Window.day(), 45)
        .quota(MESSAGES, Window.week(), 200)
        .quota(MESSAGES, Window.month(), 600)
        .build();
    LimitPolicy reordered = LimitPolicy.builder("reordered").zone(zone)
        .quota(MESSAGES, Window.day(), 14)
        .quota(MESSAGES, Window.hour(), 6)
        .build();
    AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-03-01T22:50:00Z")
        .plus(Duration.ofMinutes(random.nextInt(60 * 24 * 30))));
    UsageCounter fastCounter = UsageCounters.inMemory();
    UsageCounter generalCounter = UsageCounters.inMemory();
    Limiter fast = Limiter.builder(fastCounter).clock(now::get).build();
    Limiter general = Limiter.builder(new Delegate(generalCounter)).clock(now::get).build();
    int allowed = 0;
    int denied = 0;
    for (int step = 0; step < 3_000; step++) {
      int move = random.nextInt(40);
      Duration by = Duration.ofSeconds(move == 0 ? 30_000 : move == 1 ? -1_200 : random.nextInt(600));
      now.updateAndGet(t -> t.plus(by));
      LimitPolicy policy = random.nextInt(6) == 0 ? reordered : sixWindows;
      // u0 and u1 keep the six windows' cells in order (but for purges), u2 mixes both policies, u3 only the other
      String subject = "u" + (policy == reordered ? 2 + random.nextInt(2) : random.nextInt(3));
      int kind = random.nextInt(30);
      long amount = kind == 0 ? 0 : kind == 1 ? Long.MAX_VALUE : kind == 2 ? 3 : 1;
      LimitRequest request = LimitRequest.of(subject).amount(MESSAGES, amount);
      String what = "step " + step + " at " + now.get() + ": " + request + " under " + policy.name();
      boolean expected = general.consume(policy, request).isAllowed();
      if (random.nextInt(4) == 0) {
        assertThat(fast.consume(policy, request).isAllowed()).as(what).isEqualTo(expected);
      } else {
        assertThat(fast.tryConsume(policy, request)).as(what).isEqualTo(expected);
      }
      if (random.nextInt(20) == 0) {
        // as an instance whose clock is ahead purges: cells of periods still current here may go
        long at = now.get().toEpochMilli() + random.nextInt(3 * 3_600_000);
        assertThat(fastCounter.purge(at, 1_000)).as(what).isEqualTo(generalCounter.purge(at, 1_000));
      }
      for (LimitPolicy p : List.of(sixWindows, reordered)) { // both report the shared hour and day
        assertThat(fast.usage(p, subject).quotas()).as(what).isEqualTo(general.usage(p, subject).quotas());
      }
      if (expected) {
        allowed++;
      } else {
        denied++;
      }
    }
    assertThat(allowed).as("allowed answers compared").isGreaterThan(300);
    assertThat(denied).as("denials compared").isGreaterThan(300);
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
