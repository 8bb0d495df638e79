package dev.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import dev.limits.spi.UsageCounter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Nested budgets at the facade: a request charges its user's plan, a team's monthly budget, an
 * organisation's shared token pool and an API key's rate in one all-or-nothing operation, the strictest
 * deciding.
 */
class LimiterBudgetsTest {

  static final Metric MESSAGES = Metric.count("messages");
  static final Metric TOKENS = Metric.tokens("tokens");

  final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-03-02T10:15:00Z"));
  final UsageCounter counter = UsageCounters.inMemory();
  final Limiter limiter = Limiter.builder(counter).clock(now::get).build();

  final LimitPolicy userPlan = LimitPolicy.builder("pro")
      .quota(MESSAGES, Window.hour(), 10)
      .quota(TOKENS, Window.day(), 10_000)
      .build();
  final LimitPolicy teamBudget = LimitPolicy.builder("team")
      .quota(TOKENS, Window.month(), 20_000)
      .build();
  final LimitPolicy organisationPool = LimitPolicy.builder("organisation")
      .quota(TOKENS, Window.month(), 5_000) // the strictest: shared by everyone in the organisation
      .build();
  final LimitPolicy keyRate = LimitPolicy.builder("api-key")
      .quota(MESSAGES, Window.rolling(Duration.ofMinutes(1), Duration.ofSeconds(10)), 3)
      .build();

  LimitRequest chat(String user, long tokens) {
    return LimitRequest.of(user).amount(MESSAGES, 1).amount(TOKENS, tokens)
        .alsoCharge("team-3", teamBudget)
        .alsoCharge("org-7", organisationPool)
        .alsoCharge("key-1", keyRate);
  }

  long used(LimitPolicy policy, String subject, String quotaId) {
    return limiter.usage(policy, subject).quota(quotaId).orElseThrow().used();
  }

  @Test
  void everySubjectsQuotasAreCountedInOneOperation() {
    Decision d = limiter.consume(userPlan, chat("user-42", 1_200));

    assertThat(d.isAllowed()).isTrue();
    assertThat(d.usage()).extracting(QuotaUsage::subject, u -> u.quota().id(), QuotaUsage::used).containsExactly(
        tuple("user-42", "messages@hour", 1L), tuple("user-42", "tokens@day", 1_200L),
        tuple("team-3", "tokens@month", 1_200L), tuple("org-7", "tokens@month", 1_200L),
        tuple("key-1", "messages@rolling-PT1M/PT10S", 1L));
    assertThat(used(userPlan, "user-42", "tokens@day")).isEqualTo(1_200);
    assertThat(used(teamBudget, "team-3", "tokens@month")).isEqualTo(1_200);
    assertThat(used(organisationPool, "org-7", "tokens@month")).isEqualTo(1_200);
    assertThat(limiter.usage(keyRate, "key-1").quotas().get(0).used()).isEqualTo(1);
  }

  @Test
  void theOrganisationsPoolDeniesAndNothingIsCountedAnywhere() {
    assertThat(limiter.consume(userPlan, chat("user-1", 4_000)).isAllowed()).isTrue();

    Decision d = limiter.consume(userPlan, chat("user-2", 1_500)); // user-2's own plan has room

    assertThat(d.outcome()).isEqualTo(Decision.Outcome.QUOTA_EXCEEDED);
    Denial denial = d.denial().orElseThrow();
    assertThat(denial.subject()).isEqualTo("org-7");
    assertThat(denial.ruleId()).isEqualTo("tokens@month");
    assertThat(denial.used()).isEqualTo(4_000);
    assertThat(denial.requested()).isEqualTo(1_500);
    assertThat(d.denials()).extracting(Denial::subject).containsExactly("org-7");
    assertThat(d.message(Locale.ENGLISH)).hasValue("You have reached your monthly token limit (5000).");
    assertThat(used(userPlan, "user-2", "tokens@day")).as("user-2's plan").isZero();
    assertThat(used(userPlan, "user-2", "messages@hour")).isZero();
    assertThat(used(teamBudget, "team-3", "tokens@month")).as("the team's budget").isEqualTo(4_000);
    assertThat(used(organisationPool, "org-7", "tokens@month")).isEqualTo(4_000);
    assertThat(limiter.usage(keyRate, "key-1").quotas().get(0).used()).as("the key's rate").isEqualTo(1);
  }

  @Test
  void aMessageTemplateNamesTheSubjectThatDenied() {
    Limiter withMessages = Limiter.builder(counter).clock(now::get)
        .messages(MessageCatalog.builder()
            .template(Locale.ENGLISH, "quota.tokens@month", "{subject} has used its monthly pool of {limit} tokens.")
            .build())
        .build();
    withMessages.consume(userPlan, chat("user-1", 5_000));

    Decision d = withMessages.consume(userPlan, chat("user-2", 1));

    assertThat(d.message(Locale.ENGLISH)).hasValue("org-7 has used its monthly pool of 5000 tokens.");
  }

  @Test
  void checkReportsEveryDenialOfEverySubjectAndCountsNothing() {
    limiter.consume(userPlan, chat("user-1", 4_900));

    Decision d = limiter.check(userPlan, chat("user-1", 5_000));

    assertThat(d.denials()).extracting(Denial::subject, Denial::ruleId).containsExactly(
        tuple("org-7", "tokens@month"));
    Decision both = limiter.check(userPlan, chat("user-1", 10_000));
    assertThat(both.denials()).extracting(Denial::subject, Denial::ruleId).containsExactly(
        tuple("user-1", "tokens@day"), tuple("org-7", "tokens@month"));
    assertThat(used(organisationPool, "org-7", "tokens@month")).isEqualTo(4_900);
  }

  @Test
  void theAccessRulesOfEveryPolicyAreJudged() {
    LimitPolicy organisationModels = LimitPolicy.builder("organisation").allowModels("gpt-4o-mini")
        .quota(TOKENS, Window.month(), 5_000).build();
    LimitRequest request = LimitRequest.of("user-1").model("o3").amount(MESSAGES, 1).amount(TOKENS, 10)
        .alsoCharge("org-7", organisationModels);

    Decision d = limiter.consume(userPlan, request);

    assertThat(d.outcome()).isEqualTo(Decision.Outcome.FORBIDDEN);
    assertThat(d.denial().orElseThrow()).extracting(Denial::subject, Denial::reason)
        .containsExactly("org-7", Denial.Reason.MODEL_NOT_ALLOWED);
    assertThat(used(userPlan, "user-1", "messages@hour")).isZero();
  }

  @Test
  void aBudgetChargesOnlyTheMetricsAndModelsItsQuotasCount() {
    LimitPolicy premiumPool = LimitPolicy.builder("premium-pool")
        .quota(TOKENS, Window.month(), 100, ModelGroup.of("premium", "o3")).build();
    LimitRequest mini = LimitRequest.of("user-1").model("gpt-4o-mini").amount(MESSAGES, 1).amount(TOKENS, 500)
        .alsoCharge("org-7", premiumPool);

    Decision d = limiter.consume(userPlan, mini);

    assertThat(d.isAllowed()).as("the pool counts only the premium models").isTrue();
    assertThat(d.usage()).extracting(QuotaUsage::subject).containsOnly("user-1");
    assertThat(limiter.consume(userPlan, LimitRequest.of("user-1").model("o3").amount(TOKENS, 500)
        .alsoCharge("org-7", premiumPool)).denial().orElseThrow().subject()).isEqualTo("org-7");
  }

  @Test
  void eachPolicyKeepsItsOwnZoneUnlessTheRequestNamesOne() {
    LimitPolicy tehranDay = LimitPolicy.builder("tehran").zone("Asia/Tehran")
        .quota(TOKENS, Window.day(), 1_000).build();
    LimitRequest request = LimitRequest.of("user-1").amount(TOKENS, 10).alsoCharge("org-7", tehranDay);

    Decision d = limiter.consume(userPlan, request);

    assertThat(d.usage().get(1).period().start()).as("the organisation's day starts in Tehran")
        .isEqualTo(Instant.parse("2026-03-01T20:30:00Z"));
    assertThat(d.usage().get(0).period().start()).as("the user's in UTC")
        .isEqualTo(Instant.parse("2026-03-02T00:00:00Z"));
    Decision inTokyo = limiter.consume(userPlan, request.zone(ZoneId.of("Asia/Tokyo")));
    assertThat(inTokyo.usage()).extracting(u -> u.period().start()).containsOnly(
        Instant.parse("2026-03-01T15:00:00Z"));
  }

  @Test
  void tryConsumeAnswersAsConsumeAcrossSubjects() {
    assertThat(limiter.tryConsume(userPlan, chat("user-1", 5_000))).isTrue();
    assertThat(limiter.tryConsume(userPlan, chat("user-2", 1))).as("the pool is used up").isFalse();
    assertThat(used(userPlan, "user-2", "messages@hour")).isZero();
  }

  @Test
  void aReservationSettlesAndRefundsOnEverySubject() {
    try (Reservation r = limiter.acquire(userPlan, chat("user-1", 3_000))) {
      assertThat(r.isGranted()).isTrue();
      assertThat(used(organisationPool, "org-7", "tokens@month")).as("reserved").isEqualTo(3_000);
      r.commit(Amounts.of(TOKENS, 1_000));
    }
    assertThat(used(organisationPool, "org-7", "tokens@month")).isEqualTo(1_000);
    assertThat(used(teamBudget, "team-3", "tokens@month")).isEqualTo(1_000);
    assertThat(used(userPlan, "user-1", "tokens@day")).isEqualTo(1_000);

    try (Reservation r = limiter.acquire(userPlan, chat("user-2", 2_000))) {
      assertThat(r.isGranted()).isTrue();
      r.cancel();
    }
    assertThat(used(organisationPool, "org-7", "tokens@month")).as("cancelled").isEqualTo(1_000);
    assertThat(used(userPlan, "user-2", "messages@hour")).isZero();

    try (Reservation r = limiter.acquire(userPlan, chat("user-3", 4_500))) {
      assertThat(r.isGranted()).as("the pool has 4,000 left").isFalse();
      assertThat(r.decision().denial().orElseThrow().subject()).isEqualTo("org-7");
    }
  }

  @Test
  void aLateCommitOfAnExpiredReservationCountsOnEverySubject() {
    Reservation r = limiter.acquire(userPlan, chat("user-1", 3_000));
    now.updateAndGet(t -> t.plus(Duration.ofMinutes(11))); // past the reservation's ten minutes
    limiter.purge(1_000);
    assertThat(used(organisationPool, "org-7", "tokens@month")).as("refunded").isZero();

    r.commit(Amounts.of(TOKENS, 700));

    assertThat(used(organisationPool, "org-7", "tokens@month")).isEqualTo(700);
    assertThat(used(teamBudget, "team-3", "tokens@month")).isEqualTo(700);
    assertThat(used(userPlan, "user-1", "tokens@day")).isEqualTo(700);
  }

  @Test
  void theIdempotencyKeyBelongsToTheFirstSubject() {
    LimitRequest request = chat("user-1", 100).idempotencyKey("call-1");
    assertThat(limiter.consume(userPlan, request).isAllowed()).isTrue();
    assertThat(limiter.consume(userPlan, request).isAllowed()).as("a retry").isTrue();
    assertThat(used(organisationPool, "org-7", "tokens@month")).as("counted once").isEqualTo(100);

    LimitRequest otherOrganisation = LimitRequest.of("user-1").amount(MESSAGES, 1).amount(TOKENS, 100)
        .alsoCharge("team-3", teamBudget).alsoCharge("org-8", organisationPool).alsoCharge("key-1", keyRate)
        .idempotencyKey("call-1");
    assertThatThrownBy(() -> limiter.consume(userPlan, otherOrganisation))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("call-1");
    assertThat(used(organisationPool, "org-8", "tokens@month")).isZero();
    assertThat(limiter.consume(userPlan, chat("user-2", 100).idempotencyKey("call-1")).isAllowed())
        .as("another user's key of the same name is another key").isTrue();
    assertThat(used(organisationPool, "org-7", "tokens@month")).isEqualTo(200);
  }

  @Test
  void badBudgetsAreRejectedWhenTheRequestIsMade() {
    LimitRequest request = LimitRequest.of("user-1").amount(TOKENS, 1);
    assertThatThrownBy(() -> request.alsoCharge("user-1", organisationPool))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'user-1' is already charged");
    assertThatThrownBy(() -> request.alsoCharge("org-7", organisationPool).alsoCharge("org-7", teamBudget))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'org-7' is already charged");
    assertThatThrownBy(() -> request.alsoCharge(" org-7", organisationPool))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("subject");
    assertThatThrownBy(() -> request.alsoCharge(null, organisationPool))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("subject");
    assertThatThrownBy(() -> request.alsoCharge("org-7", null))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("policy");
    LimitRequest full = request;
    for (int i = 0; i < LimitRequest.MAX_BUDGETS; i++) {
      full = full.alsoCharge("org-" + i, organisationPool);
    }
    LimitRequest seven = full;
    assertThatThrownBy(() -> seven.alsoCharge("one-too-many", organisationPool))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 7 budgets");
    assertThat(request.budgets()).as("requests are immutable").isEmpty();
  }

  @Test
  void aBudgetMayLeaveAMetricOutButNotGiveItOtherUnits() {
    Metric cents = Metric.money("tokens", java.util.Currency.getInstance("USD"), 2);
    LimitPolicy confused = LimitPolicy.builder("confused").quota(cents, Window.month(), 100).build();

    assertThatThrownBy(() -> limiter.consume(userPlan,
            LimitRequest.of("user-1").amount(TOKENS, 1).alsoCharge("org-7", confused)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("other units in policy 'confused'");
    assertThat(used(userPlan, "user-1", "tokens@day")).isZero();
  }

  /** Users of one organisation racing for its pool: exact, never over any limit, no deadlock. */
  @Test
  void usersRacingForTheirOrganisationsPoolAreCountedExactly() throws Exception {
    LimitPolicy plan = LimitPolicy.builder("race").quota(TOKENS, Window.day(), 3_000).build();
    LimitPolicy pool = LimitPolicy.builder("pool").quota(TOKENS, Window.month(), 20_000).build();
    List<String> users = List.of("u0", "u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8", "u9");
    AtomicLong counted = new AtomicLong();
    int threads = 8;
    ExecutorService pool8 = Executors.newFixedThreadPool(threads);
    CyclicBarrier start = new CyclicBarrier(threads);
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      futures.add(pool8.submit(() -> {
        start.await();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < 1_000; i++) {
          long tokens = 1 + random.nextInt(40);
          String user = users.get(random.nextInt(users.size()));
          // Two organisations that share the pool of org-0, listed in either order: no deadlock.
          LimitRequest request = random.nextBoolean()
              ? LimitRequest.of(user).amount(TOKENS, tokens).alsoCharge("org-0", pool).alsoCharge("org-1", pool)
              : LimitRequest.of(user).amount(TOKENS, tokens).alsoCharge("org-1", pool).alsoCharge("org-0", pool);
          if (random.nextBoolean() ? limiter.tryConsume(plan, request) : limiter.consume(plan, request).isAllowed()) {
            counted.addAndGet(tokens);
          }
        }
        return null;
      }));
    }
    for (Future<?> f : futures) {
      f.get(60, TimeUnit.SECONDS);
    }
    pool8.shutdown();
    long users3000 = 0;
    for (String u : users) {
      long used = limiter.usage(plan, u).quotas().get(0).used();
      assertThat(used).as(u).isLessThanOrEqualTo(3_000);
      users3000 += used;
    }
    assertThat(users3000).isEqualTo(counted.get());
    assertThat(limiter.usage(pool, "org-0").quotas().get(0).used()).isEqualTo(counted.get())
        .isLessThanOrEqualTo(20_000);
    assertThat(limiter.usage(pool, "org-1").quotas().get(0).used()).isEqualTo(counted.get());
    assertThat(counted.get()).as("the pool was actually reached").isGreaterThan(19_000);
  }
}
