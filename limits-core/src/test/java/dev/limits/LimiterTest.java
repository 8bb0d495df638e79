package dev.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.limits.spi.ConsumeRequest;
import dev.limits.spi.ConsumeResult;
import dev.limits.spi.SettleRequest;
import dev.limits.spi.SettleResult;
import dev.limits.spi.SlotUsage;
import dev.limits.spi.StorageException;
import dev.limits.spi.UsageCounter;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class LimiterTest {

  static final Metric MESSAGES = Metric.count("messages");
  static final Metric TOKENS = Metric.tokens("tokens");
  static final Metric IMAGES = Metric.count("images");
  static final Metric COST = Metric.money("cost", Currency.getInstance("USD"), 6);
  static final Locale FA = Locale.forLanguageTag("fa");

  final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-03-02T10:15:00Z"));
  final PeriodClock clock = now::get;
  final UsageCounter counter = UsageCounters.inMemory();
  final Limiter limiter = Limiter.builder(counter).clock(clock).build();

  final LimitPolicy plan = LimitPolicy.builder("pro")
      .quota(MESSAGES, Window.hour(), 3)
      .quota(MESSAGES, Window.day(), 5)
      .quota(TOKENS, Window.day(), 10_000)
      .build();

  LimitRequest message(String user, long tokens) {
    return LimitRequest.of(user).amount(MESSAGES, 1).amount(TOKENS, tokens);
  }

  void advance(Duration d) {
    now.updateAndGet(t -> t.plus(d));
  }

  @Test
  void acquireCommitSettlesToTheActualAmounts() {
    try (Reservation r = limiter.acquire(plan, message("u1", 1_000))) {
      assertThat(r.isGranted()).isTrue();
      r.commit(Amounts.of(TOKENS, 1_480));
    }
    UsageReport report = limiter.usage(plan, "u1");
    assertThat(report.quota("tokens@day").orElseThrow().used()).isEqualTo(1_480);
    assertThat(report.quota("messages@hour").orElseThrow().used()).isEqualTo(1);
    assertThat(report.quota("messages@day").orElseThrow().remaining()).isEqualTo(4);
    assertThat(report.quota("messages@day").orElseThrow().resetsAt())
        .contains(Instant.parse("2026-03-03T00:00:00Z"));
  }

  @Test
  void anOverrunIsCountedNotRefused() {
    try (Reservation r = limiter.acquire(plan, message("u1", 9_000))) {
      r.commit(Amounts.of(TOKENS, 12_000));
    }
    assertThat(limiter.usage(plan, "u1").quota("tokens@day").orElseThrow().used()).isEqualTo(12_000);
    Decision next = limiter.consume(plan, message("u1", 1));
    assertThat(next.outcome()).isEqualTo(Decision.Outcome.QUOTA_EXCEEDED);
    assertThat(next.denial().orElseThrow().ruleId()).isEqualTo("tokens@day");
  }

  @Test
  void closingAnUncommittedReservationRefundsIt() {
    try (Reservation r = limiter.acquire(plan, message("u1", 4_000))) {
      assertThat(limiter.usage(plan, "u1").quota("tokens@day").orElseThrow().used()).isEqualTo(4_000);
    }
    assertThat(limiter.usage(plan, "u1").quota("tokens@day").orElseThrow().used()).isZero();
    assertThat(limiter.usage(plan, "u1").quota("messages@hour").orElseThrow().used()).isZero();
  }

  @Test
  void aRequestThatDoesNotFitOneWindowCountsInNone() {
    Decision d = limiter.consume(plan, message("u1", 10_001));
    assertThat(d.isAllowed()).isFalse();
    assertThat(d.denials()).extracting(Denial::ruleId).containsExactly("tokens@day");
    assertThat(limiter.usage(plan, "u1").quotas()).allSatisfy(q -> assertThat(q.used()).isZero());
  }

  @Test
  void hourlyLimitDeniesThenResetsAtTheNextHour() {
    for (int i = 0; i < 3; i++) {
      assertThat(limiter.consume(plan, message("u1", 10)).isAllowed()).isTrue();
    }
    Decision denied = limiter.consume(plan, message("u1", 10));
    assertThat(denied.outcome()).isEqualTo(Decision.Outcome.QUOTA_EXCEEDED);
    assertThat(denied.httpStatus()).isEqualTo(429);
    Denial denial = denied.denial().orElseThrow();
    assertThat(denial.ruleId()).isEqualTo("messages@hour");
    assertThat(denial.limit()).isEqualTo(3);
    assertThat(denial.used()).isEqualTo(3);
    assertThat(denial.remaining()).isZero();
    assertThat(denial.resetsAt()).isEqualTo(Instant.parse("2026-03-02T11:00:00Z"));
    assertThat(denied.retryAfter()).contains(Duration.ofMinutes(45));

    advance(Duration.ofMinutes(45));
    assertThat(limiter.consume(plan, message("u1", 10)).isAllowed()).isTrue();
    assertThat(limiter.consume(plan, message("u1", 10)).isAllowed()).isTrue();
    Decision daily = limiter.consume(plan, message("u1", 10));
    assertThat(daily.denial().orElseThrow().ruleId()).isEqualTo("messages@day");
  }

  @Test
  void checkCountsNothingAndReportsEveryFailure() {
    for (int i = 0; i < 3; i++) {
      limiter.consume(plan, message("u1", 10));
    }
    Decision d = limiter.check(plan, message("u1", 20_000));
    assertThat(d.denials()).extracting(Denial::ruleId).containsExactly("messages@hour", "tokens@day");
    assertThat(limiter.usage(plan, "u1").quota("messages@day").orElseThrow().used()).isEqualTo(3);
  }

  @Test
  void warningsOnceTheThresholdIsCrossed() {
    assertThat(limiter.consume(plan, message("u1", 7_000)).warnings()).isEmpty();
    Decision d = limiter.consume(plan, message("u1", 1_000));
    assertThat(d.isAllowed()).isTrue();
    assertThat(d.warnings()).extracting(w -> w.usage().quota().id()).contains("tokens@day");
  }

  @Test
  void forbiddenRulesComeFirstAndTouchNoCounter() {
    LimitPolicy p = LimitPolicy.builder("basic")
        .allowModels("gpt-4o-mini")
        .maxFileSize(1_000)
        .allowExtensions("pdf", ".PNG")
        .quota(MESSAGES, Window.day(), 0)
        .build();
    Decision model = limiter.consume(p, LimitRequest.of("u1").model("gpt-4o").amount(MESSAGES, 1));
    assertThat(model.outcome()).isEqualTo(Decision.Outcome.FORBIDDEN);
    assertThat(model.httpStatus()).isEqualTo(403);
    assertThat(model.denial().orElseThrow().reason()).isEqualTo(Denial.Reason.MODEL_NOT_ALLOWED);
    assertThat(model.message(Locale.ENGLISH)).contains("Your plan does not include the model gpt-4o.");
    assertThat(model.message(FA)).contains("دسترسی به این مدل دیگر برای اشتراک شما فعال نیست");

    Decision file = limiter.check(p, LimitRequest.of("u1").file(5_000, "exe"));
    assertThat(file.denials()).extracting(Denial::reason)
        .containsExactly(Denial.Reason.FILE_TOO_LARGE, Denial.Reason.EXTENSION_NOT_ALLOWED);
    assertThat(limiter.check(p, LimitRequest.of("u1").file(900, "png")).isAllowed()).isTrue();
    assertThat(counter.snapshot("u1", clock.instant().toEpochMilli())).isEmpty();
  }

  @Test
  void subscriptionValidity() {
    LimitPolicy p = LimitPolicy.builder("trial")
        .validity(Instant.parse("2026-03-01T00:00:00Z"), Instant.parse("2026-03-08T00:00:00Z"))
        .build();
    assertThat(limiter.consume(p, LimitRequest.of("u1")).isAllowed()).isTrue();
    advance(Duration.ofDays(7));
    Decision d = limiter.consume(p, LimitRequest.of("u1"));
    assertThat(d.denial().orElseThrow().reason()).isEqualTo(Denial.Reason.SUBSCRIPTION_INACTIVE);
  }

  @Test
  void deniedMessagesInEnglishAndPersian() {
    LimitPolicy p = LimitPolicy.builder("img").quota(IMAGES, Window.day(), 5).build();
    for (int i = 0; i < 5; i++) {
      limiter.consume(p, LimitRequest.of("u1").amount(IMAGES, 1));
    }
    Decision d = limiter.consume(p, LimitRequest.of("u1").amount(IMAGES, 1));
    assertThat(d.message(Locale.ENGLISH)).contains("You have reached your daily image generation limit (5).");
    assertThat(d.message(FA)).contains("شما به حد مجاز تولید تصویر روزانه (5 عدد) رسیده‌اید");

    MessageCatalog custom = MessageCatalog.builder()
        .template(FA, "quota.images@day", "سقف {limit} تصویر در روز پر شده است؛ تا {resetsAt} صبر کنید")
        .persianDigits(true)
        .build();
    Limiter l2 = Limiter.builder(counter).clock(clock).messages(custom).build();
    Decision d2 = l2.consume(p, LimitRequest.of("u1").amount(IMAGES, 1));
    assertThat(d2.message(FA)).contains("سقف ۵ تصویر در روز پر شده است؛ تا ۲۰۲۶-۰۳-۰۳ ۰۰:۰۰ صبر کنید");
    assertThat(d2.message(Locale.ENGLISH)).contains("You have reached your daily image generation limit (5).");
  }

  @Test
  void moneyAddsUpExactly() {
    LimitPolicy p = LimitPolicy.builder("budget").quota(COST, Window.month(), COST.amountOf(new BigDecimal("1")))
        .build();
    long call = COST.amountOf(new BigDecimal("0.0031"));
    assertThat(call).isEqualTo(3_100);
    int allowed = 0;
    while (limiter.consume(p, LimitRequest.of("u1").amount(COST, call)).isAllowed()) {
      allowed++;
    }
    assertThat(allowed).isEqualTo(322); // 322 * 0.0031 = 0.9982 <= 1 < 323 * 0.0031
    assertThat(COST.toDecimal(limiter.usage(p, "u1").quotas().get(0).used()))
        .isEqualByComparingTo("0.9982");
    assertThatThrownBy(() -> COST.amountOf(new BigDecimal("0.0000001")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0.0000001");
  }

  @Test
  void aZeroEstimateStillAsksWhetherAnythingIsLeft() {
    LimitPolicy p = LimitPolicy.builder("budget").quota(COST, Window.month(), 10_000).build();
    try (Reservation r = limiter.acquire(p, LimitRequest.of("u1").amount(COST, 0))) {
      assertThat(r.isGranted()).isTrue();
      r.commit(Amounts.of(COST, 10_000));
    }
    assertThat(limiter.acquire(p, LimitRequest.of("u1").amount(COST, 0)).isGranted()).isFalse();
  }

  @Test
  void modelScopedQuotasCountOnlyTheirModels() {
    LimitPolicy p = LimitPolicy.builder("scoped")
        .quota(TOKENS, Window.month(), 100, ModelGroup.model("gpt-4o"))
        .quota(TOKENS, Window.month(), 1_000)
        .build();
    assertThat(limiter.consume(p, LimitRequest.of("u1").model("gpt-4o").amount(TOKENS, 100)).isAllowed()).isTrue();
    Decision d = limiter.consume(p, LimitRequest.of("u1").model("gpt-4o").amount(TOKENS, 1));
    assertThat(d.denial().orElseThrow().ruleId()).isEqualTo("tokens@month#gpt-4o");
    assertThat(limiter.consume(p, LimitRequest.of("u1").model("mini").amount(TOKENS, 800)).isAllowed()).isTrue();
    assertThat(limiter.usage(p, "u1").quota("tokens@month").orElseThrow().used()).isEqualTo(900);
  }

  @Test
  void idempotentAcquireAndConsumeCountOnce() {
    LimitRequest r = message("u1", 100).idempotencyKey("req-1");
    Reservation first = limiter.acquire(plan, r);
    Reservation retry = limiter.acquire(plan, r);
    assertThat(first.isGranted()).isTrue();
    assertThat(retry.isGranted()).isTrue();
    assertThat(retry.id()).isEqualTo(first.id());
    assertThat(first.isRetry()).isFalse();
    assertThat(retry.isRetry()).isTrue();
    first.commit(Amounts.of(TOKENS, 150));
    assertThatThrownBy(() -> retry.commit(Amounts.of(TOKENS, 150))).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("req-1").hasMessageContaining("already committed");
    assertThat(limiter.usage(plan, "u1").quota("tokens@day").orElseThrow().used()).isEqualTo(150);

    LimitRequest c = message("u1", 10).idempotencyKey("req-2");
    assertThat(limiter.consume(plan, c).isAllowed()).isTrue();
    assertThat(limiter.consume(plan, c).isAllowed()).isTrue();
    assertThat(limiter.usage(plan, "u1").quota("messages@day").orElseThrow().used()).isEqualTo(2);
  }

  @Test
  void reservationMisuseIsAnIllegalState() {
    Reservation r = limiter.acquire(plan, message("u1", 100));
    r.cancel();
    r.cancel();
    assertThatThrownBy(() -> r.commit(Amounts.none())).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cancelled");
    Reservation c = limiter.acquire(plan, message("u1", 100));
    c.commit(Amounts.none());
    assertThatThrownBy(() -> c.commit(Amounts.none())).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("committed");
    assertThatThrownBy(c::cancel).isInstanceOf(IllegalStateException.class);
    c.close();
    assertThatThrownBy(() -> limiter.acquire(plan, message("u1", 100)).commit(Amounts.of(IMAGES, 1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("images");
    assertThat(limiter.usage(plan, "u1").quota("tokens@day").orElseThrow().used()).isEqualTo(200);
  }

  @Test
  void anExpiredReservationIsRefundedAndALateCommitStillCounts() {
    Reservation r = limiter.acquire(plan, message("u1", 5_000));
    advance(Duration.ofMinutes(11));
    limiter.purge(1_000);
    assertThat(limiter.usage(plan, "u1").quota("tokens@day").orElseThrow().used()).isZero();
    r.commit(Amounts.of(TOKENS, 4_000));
    assertThat(limiter.usage(plan, "u1").quota("tokens@day").orElseThrow().used()).isEqualTo(4_000);
  }

  @Test
  void perRequestZoneMovesCalendarBoundaries() {
    LimitPolicy p = LimitPolicy.builder("daily").quota(MESSAGES, Window.day(), 1).build();
    now.set(Instant.parse("2026-03-02T20:00:00Z")); // 23:30 in Tehran
    ZoneId tehran = ZoneId.of("Asia/Tehran");
    assertThat(limiter.consume(p, LimitRequest.of("u1").zone(tehran).amount(MESSAGES, 1)).isAllowed()).isTrue();
    advance(Duration.ofMinutes(45)); // 00:15 next day in Tehran, still the same UTC day
    assertThat(limiter.consume(p, LimitRequest.of("u1").zone(tehran).amount(MESSAGES, 1)).isAllowed()).isTrue();
    assertThat(limiter.consume(p, LimitRequest.of("u2").amount(MESSAGES, 1)).isAllowed()).isTrue();
    assertThat(limiter.consume(p, LimitRequest.of("u2").amount(MESSAGES, 1)).isAllowed()).isFalse();
  }

  @Test
  void aMonthCounterResetsInTheSameMonthOfTheNextYear() {
    LimitPolicy p = LimitPolicy.builder("monthly").quota(IMAGES, Window.month(), 1).build();
    now.set(Instant.parse("2026-01-15T12:00:00Z"));
    assertThat(limiter.consume(p, LimitRequest.of("u1").amount(IMAGES, 1)).isAllowed()).isTrue();
    now.set(Instant.parse("2027-01-10T12:00:00Z"));
    assertThat(limiter.consume(p, LimitRequest.of("u1").amount(IMAGES, 1)).isAllowed()).isTrue();
  }

  @Test
  void badInputIsRejectedWithTheValueNamedAndCountsNothing() {
    assertThatThrownBy(() -> limiter.consume(plan, LimitRequest.of("u1").amount(IMAGES, 1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown metric 'images'");
    assertThatThrownBy(() -> LimitRequest.of("u1").amount(TOKENS, -1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
    assertThatThrownBy(() -> LimitRequest.of(null)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("subject");
    assertThatThrownBy(() -> LimitRequest.of("")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> LimitRequest.of("x".repeat(10_000))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("10000");
    assertThatThrownBy(() -> limiter.consume(plan, LimitRequest.of("u1").amount(Metric.count("tokens"), 1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("other units");
    Decision huge = limiter.consume(plan, LimitRequest.of("u1").amount(MESSAGES, Long.MAX_VALUE));
    assertThat(huge.isAllowed()).isFalse();
    limiter.consume(plan, message("u1", 1));
    Decision overflow = limiter.consume(plan, LimitRequest.of("u1").amount(TOKENS, Long.MAX_VALUE));
    assertThat(overflow.isAllowed()).isFalse();
    assertThat(limiter.usage(plan, "u1").quota("tokens@day").orElseThrow().used()).isEqualTo(1);
    assertThatThrownBy(() -> Limiter.builder(counter).warningThreshold(1.5))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1.5");
    assertThatThrownBy(() -> Limiter.builder(counter).reservationTtl(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT-1S");
  }

  @Test
  void aPolicyReportsEveryConfigurationErrorAtOnce() {
    assertThatThrownBy(() -> LimitPolicy.builder("broken")
        .zone("Mars/Olympus")
        .quota(MESSAGES, Window.day(), -5)
        .quota(MESSAGES, Window.hour(), 10)
        .quota(MESSAGES, Window.hour(), 20)
        .track(Metric.tokens("messages"))
        .maxFileSize(-1)
        .build())
        .isInstanceOfSatisfying(InvalidPolicyException.class, e -> assertThat(e.problems()).hasSize(5)
            .anySatisfy(p -> assertThat(p).contains("Mars/Olympus"))
            .anySatisfy(p -> assertThat(p).contains("-5"))
            .anySatisfy(p -> assertThat(p).contains("duplicate quota id 'messages@hour'"))
            .anySatisfy(p -> assertThat(p).contains("declared twice"))
            .anySatisfy(p -> assertThat(p).contains("maximum file size")));
  }

  @Test
  void failsClosedByDefaultAndOpenWhenAsked() {
    UsageCounter broken = new BrokenCounter();
    Decision closed = Limiter.builder(broken).clock(clock).build().consume(plan, message("u1", 1));
    assertThat(closed.outcome()).isEqualTo(Decision.Outcome.UNAVAILABLE);
    assertThat(closed.httpStatus()).isEqualTo(503);
    assertThat(closed.message(Locale.ENGLISH)).hasValueSatisfying(m -> assertThat(m).contains("try again"));
    Limiter open = Limiter.builder(broken).clock(clock).failOpen(true).build();
    assertThat(open.consume(plan, message("u1", 1)).isAllowed()).isTrue();
    assertThat(open.acquire(plan, message("u1", 1)).isGranted()).isTrue();
  }

  @Test
  void listenersHearDecisionsAndTheirExceptionsNeverBreakEnforcement() {
    List<String> heard = new ArrayList<>();
    Limiter l = Limiter.builder(counter).clock(clock)
        .listener(new LimitListener() {
          @Override
          public void onAllowed(LimitPolicy p, LimitRequest r, Decision d) {
            throw new IllegalStateException("listener bug");
          }
        })
        .listener(new LimitListener() {
          @Override
          public void onAllowed(LimitPolicy p, LimitRequest r, Decision d) {
            heard.add("allowed");
          }

          @Override
          public void onDenied(LimitPolicy p, LimitRequest r, Decision d) {
            heard.add("denied " + d.denial().orElseThrow().ruleId());
          }

          @Override
          public void onWarning(LimitPolicy p, LimitRequest r, Warning w) {
            heard.add("warning " + w.usage().quota().id());
          }

          @Override
          public void onCommitted(LimitPolicy p, LimitRequest r, Amounts a) {
            heard.add("committed " + a.get(TOKENS).orElse(-1));
          }
        })
        .build();
    for (int i = 0; i < 4; i++) {
      l.consume(plan, message("u1", 1));
    }
    try (Reservation r = l.acquire(plan, message("u2", 1))) {
      r.commit(Amounts.of(TOKENS, 7));
    }
    assertThat(heard).containsExactly("allowed", "allowed", "allowed", "warning messages@hour", "denied messages@hour",
        "allowed", "committed 7");
  }

  @Test
  void aCommitRetriedAfterAStorageErrorThatHadSettledReturnsNormallyAndCountsOnce() {
    LostReplyCounter lossy = new LostReplyCounter();
    Limiter l = Limiter.builder(lossy).clock(clock).build();
    LimitRequest request = message("u1", 100).idempotencyKey("req-1");
    Reservation first = l.acquire(plan, request);
    Reservation retry = l.acquire(plan, request);

    lossy.loseNextSettleReply = true;
    assertThatThrownBy(() -> first.commit(Amounts.of(TOKENS, 150))).isInstanceOf(StorageException.class);
    first.close(); // the call ran: closing after a commit in doubt must not refund it
    assertThat(l.usage(plan, "u1").quota("tokens@day").orElseThrow().used()).isEqualTo(150);

    first.commit(Amounts.of(TOKENS, 150)); // the store answers "committed before": this handle's own attempt
    assertThatThrownBy(() -> retry.commit(Amounts.of(TOKENS, 150))).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("req-1");
    assertThat(l.usage(plan, "u1").quota("tokens@day").orElseThrow().used()).isEqualTo(150);
    assertThat(l.usage(plan, "u1").quota("messages@day").orElseThrow().used()).isEqualTo(1);
  }

  @Test
  void aCommitAfterAnotherHandleCancelledCountsOnceAlsoWhenItsReplyIsLost() {
    LostReplyCounter lossy = new LostReplyCounter();
    Limiter l = Limiter.builder(lossy).clock(clock).build();
    LimitRequest request = message("u1", 100).idempotencyKey("req-1");
    Reservation first = l.acquire(plan, request);
    Reservation retry = l.acquire(plan, request);
    retry.close();
    assertThat(l.usage(plan, "u1").quota("tokens@day").orElseThrow().used()).isZero();

    lossy.loseNextConsumeReply = true; // the count of the actual amounts applies, its answer is lost
    assertThatThrownBy(() -> first.commit(Amounts.of(TOKENS, 80))).isInstanceOf(StorageException.class);
    first.commit(Amounts.of(TOKENS, 80));
    assertThat(l.usage(plan, "u1").quota("tokens@day").orElseThrow().used()).isEqualTo(80);
    assertThat(l.usage(plan, "u1").quota("messages@day").orElseThrow().used()).isEqualTo(1);
  }

  /**
   * The in-memory counter, but the next settle or consume, when asked, takes effect and then throws, as a
   * database whose connection drops before the reply does.
   */
  static final class LostReplyCounter implements UsageCounter {
    final UsageCounter memory = UsageCounters.inMemory();
    boolean loseNextSettleReply;
    boolean loseNextConsumeReply;

    @Override
    public ConsumeResult consume(ConsumeRequest request) {
      ConsumeResult result = memory.consume(request);
      if (loseNextConsumeReply && request.mode() != ConsumeRequest.Mode.CHECK) {
        loseNextConsumeReply = false;
        throw new StorageException("connection reset after consume");
      }
      return result;
    }

    @Override
    public SettleResult settle(SettleRequest request) {
      SettleResult result = memory.settle(request);
      if (loseNextSettleReply) {
        loseNextSettleReply = false;
        throw new StorageException("connection reset after settle");
      }
      return result;
    }

    @Override
    public List<SlotUsage> snapshot(String subject, long now) {
      return memory.snapshot(subject, now);
    }

    @Override
    public int purge(long now, int maxItems) {
      return memory.purge(now, maxItems);
    }
  }

  /** A counter whose storage is down. */
  static final class BrokenCounter implements UsageCounter {
    @Override
    public ConsumeResult consume(ConsumeRequest request) {
      throw new StorageException("connection refused");
    }

    @Override
    public SettleResult settle(SettleRequest request) {
      throw new StorageException("connection refused");
    }

    @Override
    public List<SlotUsage> snapshot(String subject, long now) {
      throw new StorageException("connection refused");
    }

    @Override
    public int purge(long now, int maxItems) {
      throw new StorageException("connection refused");
    }
  }
}
