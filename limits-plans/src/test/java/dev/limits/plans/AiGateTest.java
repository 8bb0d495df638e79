package dev.limits.plans;

import static dev.limits.testkit.LimitsAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.limits.Decision;
import dev.limits.Denial;
import dev.limits.MessageCatalog;
import dev.limits.plans.internal.Names;
import dev.limits.spi.ConsumeRequest;
import dev.limits.spi.ConsumeResult;
import dev.limits.spi.SettleRequest;
import dev.limits.spi.SettleResult;
import dev.limits.spi.SlotUsage;
import dev.limits.spi.StorageException;
import dev.limits.spi.UsageCounter;
import java.math.BigDecimal;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class AiGateTest extends GateFixture {

  static final String GPT = "openai/gpt-4o";
  static final String LLAMA = "meta/llama-3-8b";

  final Plan pro = Plan.builder("pro")
      .limit(PlanLimit.MESSAGES_PER_HOUR, 20)
      .limit(PlanLimit.TOKENS_PER_DAY, 1000)
      .allowModels(GPT).freeModels(LLAMA)
      .activeFrom(Instant.parse("2026-03-01T00:00:00Z")).activeUntil(Instant.parse("2026-04-01T00:00:00Z"))
      .build();

  // --- subscription and model access: 403, nothing counted

  @Test
  void noSubscriptionIsForbidden() {
    AiPermit p = gate.before("u1", null, AiCall.message(GPT));
    assertThat(p.decision()).isForbidden().isDeniedBy("subscription")
        .hasMessageContaining(FA, "شما اشتراک فعالی ندارید")
        .hasMessageContaining(EN, "You have no active subscription.");
    assertThat(p.httpStatus()).isEqualTo(403);
    assertThat(p.isGranted()).isFalse();
  }

  @Test
  void anExpiredOrNotYetStartedSubscriptionIsForbiddenAndCountsNothing() {
    set("2026-04-01T00:00:00Z");
    assertThat(gate.before("u1", pro, AiCall.message(GPT)).decision()).isForbidden()
        .isDeniedBy(Denial.Reason.SUBSCRIPTION_INACTIVE);
    set("2026-02-28T23:59:59Z");
    assertThat(gate.before("u1", pro, AiCall.message(GPT)).decision()).isForbidden().isDeniedBy("subscription");
    set("2026-03-31T23:59:59Z");
    assertThat(gate.before("u1", pro, AiCall.message(GPT)).decision()).isAllowed();
    assertThat(used("u1", pro, "messages-hour")).isEqualTo(1);
  }

  @Test
  void aModelOutsideThePlanIsForbiddenWithTheSeedMessage() {
    AiPermit p = gate.before("u1", pro, AiCall.message("anthropic/claude-opus"));
    assertThat(p.decision()).isForbidden().isDeniedBy("model")
        .hasMessageContaining(EN, "Your plan does not include the model anthropic/claude-opus.");
    assertThat(p.message(FA)).hasValue("دسترسی به این مدل دیگر برای اشتراک شما فعال نیست");
    assertThat(used("u1", pro, "messages-hour")).isZero();
    assertThat(gate.before("u1", pro, AiCall.message(LLAMA)).decision()).as("free models are allowed").isAllowed();
  }

  @Test
  void aPlanWithoutAllowedModelsAllowsEveryModel() {
    Plan open = Plan.builder("open").build();
    assertThat(gate.before("u1", open, AiCall.message("any/model")).decision()).isAllowed();
  }

  // --- the seeds' order: subscription, model, images, messages, tokens, cost, files

  @Test
  void theFirstFailureInTheSeedsOrderWins() {
    Plan nothing = Plan.builder("nothing")
        .limit(PlanLimit.IMAGES_PER_DAY, 0).limit(PlanLimit.MESSAGES_PER_HOUR, 0).limit(PlanLimit.TOKENS_PER_DAY, 0)
        .costBudget(BigDecimal.ZERO).limit(PlanLimit.FILES_PER_DAY, 0).allowExtensions("pdf").allowModels(GPT)
        .activeUntil(Instant.parse("2026-03-01T00:00:00Z"))
        .build();
    AiCall call = AiCall.message("other").generateImage().file(FileSpec.named("x.exe", 10));
    List<String> order = new ArrayList<>();
    Plan plan = nothing;
    for (int i = 0; i < 12; i++) {
      AiPermit p = gate.before("u1", plan, call);
      if (p.isGranted()) {
        order.add("granted");
        break;
      }
      Denial d = p.decision().denial().orElseThrow();
      order.add(d.ruleId() + " " + p.httpStatus());
      assertThat(gate.usage("u1", plan, null)).as("a denial counts nothing").allSatisfy(u ->
          assertThat(u.used()).isZero());
      Plan.Builder next = plan.toBuilder();
      switch (d.ruleId()) {
        case "subscription": next = Plan.builder("nothing2").limit(PlanLimit.IMAGES_PER_DAY, 0)
            .limit(PlanLimit.MESSAGES_PER_HOUR, 0).limit(PlanLimit.TOKENS_PER_DAY, 0).costBudget(BigDecimal.ZERO)
            .limit(PlanLimit.FILES_PER_DAY, 0).allowExtensions("pdf").allowModels(GPT); break;
        case "model": next.allowModels("other"); break;
        case "file-extension": next.allowExtensions("exe"); break;
        case "cost-month": next = withoutCost(plan); break;
        default: next.limit(PlanLimit.valueOf(enumName(d.ruleId())), Allowance.unlimited());
      }
      plan = next.build();
    }
    assertThat(order).containsExactly("subscription 403", "model 403", "images-day 429", "messages-hour 429",
        "tokens-day 429", "cost-month 429", "file-extension 403", "files-day 429", "granted");
  }

  private static Plan.Builder withoutCost(Plan plan) {
    Plan.Builder b = Plan.builder(plan.name() + "-nocost");
    plan.limits().forEach(b::limit);
    return b.allowModels(plan.allowedModels().toArray(String[]::new))
        .allowExtensions(plan.allowedExtensions().toArray(String[]::new));
  }

  private static String enumName(String quotaId) {
    switch (quotaId) {
      case "images-day": return "IMAGES_PER_DAY";
      case "messages-hour": return "MESSAGES_PER_HOUR";
      case "tokens-day": return "TOKENS_PER_DAY";
      case "files-day": return "FILES_PER_DAY";
      default: throw new AssertionError(quotaId);
    }
  }

  // --- the admin convention: 0 means unlimited

  @Test
  void zeroInAdminConfigurationMeansUnlimited() {
    Plan plan = Plan.fromConfig(java.util.Map.of("name", "admin", "hourly_max_messages", "0", "daily_max_messages",
        "0", "hourly_max_tokens", "0", "monthly_max_tokens", "5000", "daily_image_generation_limit", "0",
        "max_openrouter_cost_usd", "0"));
    for (int i = 0; i < 100; i++) {
      AiCall call = i < 50 ? AiCall.message("m").generateImage() : AiCall.message("m");
      assertThat(send("u1", plan, call, AiUsage.of(50).withImagesSaved(true)).decision()).isAllowed();
    }
    AiPermit p = gate.before("u1", plan, AiCall.message("m").generateImage());
    assertThat(p.decision()).as("the weekly image default of 50 still applies").isDeniedBy("images-week");
    AiPermit tokens = gate.before("u1", plan, AiCall.message("m"));
    assertThat(tokens.decision()).isQuotaExceeded().isDeniedBy("tokens-month");
    assertThat(tokens.message(FA)).hasValue("شما به حد مجاز توکن" + ZWNJ + "های ماهانه (5000 عدد) رسیده" + ZWNJ + "اید");
    assertThat(gate.usage("u1", plan, null).stream().map(u -> u.quota().id()).collect(Collectors.toList()))
        .containsExactly("images-week", "images-month", "tokens-month");
  }

  // --- images: three windows, counted only when images were saved

  @Test
  void imagesAreCountedOnlyWhenSaved() {
    Plan basic = Plan.builder("basic").build();   // the seeds' 10 / 50 / 200
    AiCall image = AiCall.message("dall-e-3").generateImage();
    for (int i = 0; i < 15; i++) {
      assertThat(send("u1", basic, image, AiUsage.of(0).withImagesSaved(false)).decision()).isAllowed();
    }
    assertThat(used("u1", basic, "images-day")).isZero();
    for (int i = 0; i < 10; i++) {
      assertThat(send("u1", basic, image, AiUsage.of(0).withImagesSaved(true)).decision()).isAllowed();
    }
    AiPermit denied = gate.before("u1", basic, image);
    assertThat(denied.decision()).isQuotaExceeded().isDeniedBy("images-day")
        .hasRetryAfter(Duration.ofHours(13).plusMinutes(45));
    assertThat(denied.message(FA))
        .hasValue("شما به حد مجاز تولید تصویر روزانه (10 عدد) رسیده" + ZWNJ + "اید");
    assertThat(denied.message(EN)).hasValue("You have reached your daily image generation limit (10).");
    assertThat(gate.before("u1", basic, AiCall.message("dall-e-3")).decision())
        .as("a text message does not consult the image limits").isAllowed();
    assertThat(used("u1", basic, "images-week")).isEqualTo(10);
    assertThat(used("u1", basic, "images-month")).isEqualTo(10);
  }

  @Test
  void weeklyAndMonthlyImageLimitsSpeakTheirWindow() {
    Plan plan = Plan.builder("p").limit(PlanLimit.IMAGES_PER_DAY, 5).limit(PlanLimit.IMAGES_PER_WEEK, 6)
        .limit(PlanLimit.IMAGES_PER_MONTH, 7).build();
    AiCall image = AiCall.message("m").generateImage();
    AiUsage saved = AiUsage.of(0).withImagesSaved(true);
    for (int i = 0; i < 5; i++) {
      send("u1", plan, image, saved);
    }
    advance(Duration.ofDays(1));
    send("u1", plan, image, saved);
    AiPermit weekly = gate.before("u1", plan, image);
    assertThat(weekly.decision()).isDeniedBy("images-week");
    assertThat(weekly.message(FA)).hasValue("شما به حد مجاز تولید تصویر هفتگی (6 عدد) رسیده" + ZWNJ + "اید");
    set("2026-03-09T10:00:00Z");   // next Monday: the week resets, the month does not
    send("u1", plan, image, saved);
    AiPermit monthly = gate.before("u1", plan, image);
    assertThat(monthly.decision()).isDeniedBy("images-month");
    assertThat(monthly.message(FA)).hasValue("شما به حد مجاز تولید تصویر ماهانه (7 عدد) رسیده" + ZWNJ + "اید");
    set("2026-04-01T00:00:00Z");
    assertThat(gate.before("u1", plan, image).decision()).isAllowed();
  }

  @Test
  void anImageInFlightHoldsItsPlaceAndAFailedCallCountsNothing() {
    Plan plan = Plan.builder("p").limit(PlanLimit.IMAGES_PER_DAY, 1).limit(PlanLimit.MESSAGES_PER_DAY, 5).build();
    AiCall image = AiCall.message("m").generateImage();
    AiPermit first = gate.before("u1", plan, image);
    assertThat(first.isGranted()).isTrue();
    assertThat(gate.before("u1", plan, image).decision()).as("the reservation holds the last image")
        .isDeniedBy("images-day");
    first.close();   // the call threw: nothing counts
    assertThat(used("u1", plan, "images-day")).isZero();
    assertThat(used("u1", plan, "messages-day")).isZero();
    try (AiPermit second = gate.before("u1", plan, image)) {
      assertThat(second.isGranted()).isTrue();
      second.commit(AiUsage.of(10).withImagesSaved(false));
    }
    assertThat(used("u1", plan, "images-day")).isZero();
    assertThat(used("u1", plan, "messages-day")).as("the message itself was sent").isEqualTo(1);
  }

  // --- messages and tokens

  @Test
  void messageLimitsResetAtTheirBoundariesAndSpeakPersian() {
    Plan plan = Plan.builder("p").limit(PlanLimit.MESSAGES_PER_HOUR, 2).limit(PlanLimit.MESSAGES_PER_3_HOURS, 3)
        .limit(PlanLimit.MESSAGES_PER_12_HOURS, 4).build();
    send("u1", plan, AiCall.message("m"), AiUsage.of(1));
    send("u1", plan, AiCall.message("m"), AiUsage.of(1));
    AiPermit hourly = gate.before("u1", plan, AiCall.message("m"));
    assertThat(hourly.decision()).isQuotaExceeded().isDeniedBy("messages-hour")
        .hasRetryAfter(Duration.ofMinutes(45));
    assertThat(hourly.message(FA)).hasValue("شما به حد مجاز پیام" + ZWNJ + "های ساعتی (2 عدد) رسیده" + ZWNJ + "اید");
    assertThat(hourly.message(EN)).hasValue("You have reached your hourly message limit (2).");
    set("2026-03-02T11:00:00Z");
    send("u1", plan, AiCall.message("m"), AiUsage.of(1));
    AiPermit threeHours = gate.before("u1", plan, AiCall.message("m"));
    assertThat(threeHours.decision()).isDeniedBy("messages-3h").hasRetryAfter(Duration.ofHours(1));
    assertThat(threeHours.message(FA)).hasValue("شما به حد مجاز پیام" + ZWNJ + "های 3 ساعته (3 عدد) رسیده" + ZWNJ + "اید");
    set("2026-03-02T12:00:00Z");
    assertThat(gate.before("u1", plan, AiCall.message("m")).decision()).as("12:00 starts new 3h and 12h blocks")
        .isAllowed();
  }

  @Test
  void tokensSettleToTheActualAmountAndAnOverrunIsCounted() {
    AiPermit p = gate.before("u1", pro, AiCall.message(GPT).estimatedTokens(100));
    assertThat(used("u1", pro, "tokens-day")).as("reserved while in flight").isEqualTo(100);
    p.commit(AiUsage.of(1_480));
    assertThat(used("u1", pro, "tokens-day")).isEqualTo(1_480);
    AiPermit denied = gate.before("u1", pro, AiCall.message(GPT));
    assertThat(denied.decision()).isQuotaExceeded().isDeniedBy("tokens-day");
    assertThat(denied.message(FA)).hasValue("شما به حد مجاز توکن" + ZWNJ + "های روزانه (1000 عدد) رسیده" + ZWNJ + "اید");
    assertThat(denied.message(EN)).hasValue("You have reached your daily token limit (1000).");
  }

  @Test
  void anEstimateThatDoesNotFitIsRefusedWhileAZeroEstimateAsksWhetherAnythingIsLeft() {
    send("u1", pro, AiCall.message(GPT), AiUsage.of(900));
    assertThat(gate.before("u1", pro, AiCall.message(GPT).estimatedTokens(200)).decision()).isDeniedBy("tokens-day");
    assertThat(gate.before("u1", pro, AiCall.message(GPT)).decision()).isAllowed();
  }

  @Test
  void commitAndCancelFollowTheReservationRules() {
    AiPermit p = gate.before("u1", pro, AiCall.message(GPT));
    p.commit(AiUsage.of(1));
    assertThatThrownBy(() -> p.commit(AiUsage.of(1))).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(p::cancel).isInstanceOf(IllegalStateException.class);
    p.close();
    assertThat(used("u1", pro, "messages-hour")).isEqualTo(1);
    AiPermit denied = gate.before("u1", null, AiCall.message(GPT));
    assertThatThrownBy(() -> denied.commit(AiUsage.of(1))).isInstanceOf(IllegalStateException.class);
    denied.cancel();
    AiPermit cancelled = gate.before("u1", pro, AiCall.message(GPT));
    cancelled.cancel();
    cancelled.cancel();
    assertThatThrownBy(() -> cancelled.commit(AiUsage.of(1))).isInstanceOf(IllegalStateException.class);
    assertThat(used("u1", pro, "messages-hour")).isEqualTo(1);
  }

  @Test
  void closingAPermitWhoseCommitFailedKeepsItForARetriedCommitThatCountsOnce() {
    AtomicBoolean loseNextSettleReply = new AtomicBoolean();
    UsageCounter lossy = new UsageCounter() { // a database whose connection drops after the settle committed
      @Override
      public ConsumeResult consume(ConsumeRequest request) {
        return counter.consume(request);
      }

      @Override
      public SettleResult settle(SettleRequest request) {
        SettleResult result = counter.settle(request);
        if (loseNextSettleReply.getAndSet(false)) {
          throw new StorageException("connection reset");
        }
        return result;
      }

      @Override
      public List<SlotUsage> snapshot(String subject, long at) {
        return counter.snapshot(subject, at);
      }

      @Override
      public int purge(long at, int maxItems) {
        return counter.purge(at, maxItems);
      }
    };
    gate = AiGate.builder(lossy).clock(clock).build();
    AiPermit p = gate.before("u1", pro, AiCall.message(GPT).estimatedTokens(100));
    loseNextSettleReply.set(true);
    assertThatThrownBy(() -> p.commit(AiUsage.of(400))).isInstanceOf(StorageException.class);
    p.close(); // try-with-resources closes it: the call ran, so nothing is refunded

    p.commit(AiUsage.of(400));
    assertThat(used("u1", pro, "tokens-day")).isEqualTo(400);
    assertThat(used("u1", pro, "messages-hour")).isEqualTo(1);
  }

  // --- cost, exact in micro-dollars

  @Test
  void costIsCountedExactlyAndABudgetSpentDenies() {
    Plan plan = Plan.builder("p").costBudget(new BigDecimal("0.01")).build();
    AiUsage call = AiUsage.of(10).withCost(new BigDecimal("0.0031"));
    for (int i = 0; i < 4; i++) {
      assertThat(send("u1", plan, AiCall.message("m"), call).decision()).isAllowed();
    }
    assertThat(used("u1", plan, "cost-month")).as("the fourth call overran: counted, not refused")
        .isEqualTo(12_400);
    AiPermit denied = gate.before("u1", plan, AiCall.message("m"));
    assertThat(denied.decision()).isQuotaExceeded().isDeniedBy("cost-month")
        .hasMessageContaining(EN, "You have reached your monthly cost limit (0.01 USD).");
    set("2026-04-01T00:00:00Z");
    assertThat(gate.before("u1", plan, AiCall.message("m")).decision()).isAllowed();
  }

  @Test
  void costBeyondSixDecimalsRoundsUpSoTheBudgetNeverUndercounts() {
    Plan plan = Plan.builder("p").costBudget(new BigDecimal("1")).build();
    send("u1", plan, AiCall.message("m"), AiUsage.of(1).withCost(new BigDecimal("0.0000001")));
    assertThat(used("u1", plan, "cost-month")).isEqualTo(1);
  }

  // --- free models and per-model budgets

  @Test
  void freeModelsDrawOnTheFreePoolNotOnPaidQuotas() {
    Plan plan = pro.toBuilder().limit(PlanLimit.FREE_MODEL_TOKENS_PER_MONTH, 1_000).maxTokensFree(300)
        .costBudget(new BigDecimal("0")).build();
    AiPermit free = gate.before("u1", plan, AiCall.message(LLAMA).estimatedTokens(5_000));
    assertThat(free.decision()).as("the estimate is capped at max_tokens_free").isAllowed();
    assertThat(free.maxTokens()).isEqualTo(Allowance.of(300));
    assertThat(used("u1", plan, "free-tokens-month")).isEqualTo(300);
    free.commit(AiUsage.of(900).withCost(new BigDecimal("0.5")));
    assertThat(used("u1", plan, "free-tokens-month")).isEqualTo(900);
    assertThat(used("u1", plan, "tokens-day")).isZero();
    assertThat(used("u1", plan, "cost-month")).as("free models cost nothing against the budget").isZero();

    send("u1", plan, AiCall.message(LLAMA), AiUsage.of(200));
    AiPermit spent = gate.before("u1", plan, AiCall.message(LLAMA));
    assertThat(spent.decision()).isQuotaExceeded().isDeniedBy("free-tokens-month");
    assertThat(spent.message(FA)).hasValue("توکن رایگان شما برای مدل رایگان تمام شده است");
    assertThat(spent.message(EN)).hasValue("You have used up your free tokens for free models (1000 a month).");
    assertThat(gate.before("u1", plan, AiCall.message(GPT)).decision())
        .as("paid tokens are untouched; the zero cost budget denies the paid model").isDeniedBy("cost-month");
    AiPermit paid = gate.before("u1", pro, AiCall.message(GPT));
    assertThat(paid.decision()).isAllowed();
    assertThat(paid.maxTokens()).isEqualTo(Allowance.unlimited());
  }

  @Test
  void theFreePoolDeniesBeforeTheMessageWindows() {
    set("2026-03-02T10:00:00Z");
    Plan plan = Plan.builder("p").limit(PlanLimit.MESSAGES_PER_HOUR, 1)
        .limit(PlanLimit.FREE_MODEL_TOKENS_PER_MONTH, 100).freeModels(LLAMA).build();
    send("u1", plan, AiCall.message(LLAMA).estimatedTokens(100), AiUsage.of(100));
    AiPermit over = gate.before("u1", plan, AiCall.message(LLAMA).estimatedTokens(10));
    assertThat(over.decision().denial()).as("access, then the free pool, then the time windows")
        .hasValueSatisfying(d -> assertThat(d.ruleId()).isEqualTo("free-tokens-month"));
    assertThat(over.decision().denials()).extracting(Denial::ruleId)
        .containsExactly("free-tokens-month", "messages-hour");
    assertThat(gate.validate("u1", plan, AiCall.message(LLAMA).estimatedTokens(10)).denials())
        .extracting(Denial::ruleId).containsExactly("free-tokens-month", "messages-hour");
    assertThat(over.message(EN)).hasValue("You have used up your free tokens for free models (100 a month).");

    HttpLimits h = HttpLimits.of(over);
    assertThat(h.status()).isEqualTo(429);
    assertThat(h.retryAfter()).as("both reset by 1 April").hasValue(Duration.between(Instant.parse(
        "2026-03-02T10:00:00Z"), Instant.parse("2026-04-01T00:00:00Z")).getSeconds());
    assertThat(h.rateLimitPolicy()).hasValue("\"free-tokens-month\";q=100;w=2678400, \"messages-hour\";q=1;w=3600");
    assertThat(h.rateLimit()).hasValue("\"free-tokens-month\";r=0;t=2556000, \"messages-hour\";r=0;t=3600");
  }

  @Test
  void aModelsOwnBudgetAppliesOnlyToThatModel() {
    Plan plan = Plan.builder("p").modelTokens(GPT, 1_000).build();
    send("u1", plan, AiCall.message(GPT), AiUsage.of(1_000));
    AiPermit denied = gate.before("u1", plan, AiCall.message(GPT));
    assertThat(denied.decision()).isQuotaExceeded().isDeniedBy("model-tokens:" + GPT);
    assertThat(denied.message(FA)).hasValue("بودجه باقیمانده" + ZWNJ + "ی توکن شما برای این مدل کافی نیست (0 عدد)");
    assertThat(gate.before("u1", plan, AiCall.message("openai/gpt-4o-mini")).decision()).isAllowed();
  }

  // --- files

  @Test
  void fileSizeAndExtensionAreForbiddenBeforeAnythingIsCounted() {
    Plan plan = Plan.builder("p").maxFileSize(1_000).allowExtensions("pdf", "png").limit(PlanLimit.FILES_PER_DAY, 5)
        .limit(PlanLimit.MESSAGES_PER_DAY, 5).build();
    AiPermit big = gate.before("u1", plan, AiCall.message("m").file(FileSpec.named("a.pdf", 1_001)));
    assertThat(big.decision()).isForbidden().isDeniedBy("file-size")
        .hasMessageContaining(EN, "The file is larger than the allowed 1000 bytes.");
    assertThat(big.message(FA)).hasValue("حجم فایل بیش از حد مجاز (1000 بایت) است");
    AiPermit exe = gate.before("u1", plan,
        AiCall.message("m").file(FileSpec.named("a.PNG", 10)).file(FileSpec.named("b.exe", 10)));
    assertThat(exe.decision()).isForbidden().isDeniedBy("file-extension")
        .hasMessageContaining(EN, "Files of type .exe are not allowed.");
    assertThat(used("u1", plan, "messages-day")).as("the message reservation was given back").isZero();
    assertThat(used("u1", plan, "files-day")).isZero();
    assertThat(gate.before("u1", plan, AiCall.upload().file(FileSpec.named("a.pdf", 1_000))).decision()).isAllowed();
  }

  @Test
  void uploadCountsAreAllOrNothingPerUserAndPerChat() {
    Plan plan = Plan.builder("p").limit(PlanLimit.FILES_PER_DAY, 3).limit(PlanLimit.FILES_PER_CHAT, 2)
        .limit(PlanLimit.MESSAGES_PER_DAY, 10).build();
    FileSpec f = FileSpec.named("a.pdf", 1);
    try (AiPermit p = gate.before("u1", plan, AiCall.upload().chat("c1").file(f).file(f))) {
      p.commit(AiUsage.of(0));
    }
    assertThat(used("u1", plan, "messages-day")).as("an upload is not a message").isZero();
    AiPermit perChat = gate.before("u1", plan, AiCall.message("m").chat("c1").file(f));
    assertThat(perChat.decision()).isQuotaExceeded().isDeniedBy("files-chat");
    assertThat(perChat.message(FA)).hasValue("شما به حد مجاز آپلود فایل در این گفتگو (2 عدد) رسیده" + ZWNJ + "اید");
    assertThat(HttpLimits.of(perChat).retryAfter()).as("waiting does not help a per-chat limit").isEmpty();
    assertThat(used("u1", plan, "files-day")).as("the user's reservation was given back").isEqualTo(2);
    assertThat(used("u1", plan, "messages-day")).isZero();
    AiPermit twoMore = gate.before("u1", plan, AiCall.upload().chat("c2").file(f).file(f));
    assertThat(twoMore.decision()).isQuotaExceeded().isDeniedBy("files-day");
    assertThat(twoMore.message(FA)).hasValue("شما به حد مجاز آپلود فایل روزانه (3 عدد) رسیده" + ZWNJ + "اید");
    try (AiPermit one = gate.before("u1", plan, AiCall.message("m").chat("c2").file(f))) {
      assertThat(one.decision()).isAllowed();
      one.commit(AiUsage.of(5));
    }
    assertThat(usage("u1", plan, "c2", "files-chat").used()).isEqualTo(1);
    assertThat(usage("u1", plan, "c1", "files-chat").used()).isEqualTo(2);
    assertThat(used("u1", plan, "files-day")).isEqualTo(3);
  }

  @Test
  void chatIdsAreEscapedSoUserChatPairsNeverShareACounter() {
    assertThat(Names.chatSubject("a/b", "c")).isNotEqualTo(Names.chatSubject("a", "b/c"));
  }

  // --- validate: every failure and what remains

  @Test
  void validateReportsEveryFailureAndTheRemainingOfEveryLimitWithoutCounting() {
    Plan plan = Plan.builder("p").limit(PlanLimit.IMAGES_PER_DAY, 1).limit(PlanLimit.MESSAGES_PER_HOUR, 1)
        .limit(PlanLimit.MESSAGES_PER_DAY, 10).limit(PlanLimit.TOKENS_PER_DAY, 100).allowExtensions("pdf")
        .limit(PlanLimit.FILES_PER_DAY, 4).build();
    send("u1", plan, AiCall.message("m").generateImage(), AiUsage.of(100).withImagesSaved(true));
    AiCall call = AiCall.message("m").generateImage().file(FileSpec.named("x.exe", 1)).chat("c1");
    Validation v = gate.validate("u1", plan, call);
    assertThat(v.isValid()).isFalse();
    assertThat(v.httpStatus()).isEqualTo(429);
    assertThat(v.denials().stream().map(Denial::ruleId).collect(Collectors.toList()))
        .containsExactly("images-day", "messages-hour", "tokens-day", "file-extension");
    assertThat(v.messages(FA)).hasSize(4).first().isEqualTo(
        "شما به حد مجاز تولید تصویر روزانه (1 عدد) رسیده" + ZWNJ + "اید");
    assertThat(v.messages(EN).get(3)).isEqualTo("Files of type .exe are not allowed.");
    assertThat(v.usage("messages-day").orElseThrow().remaining()).isEqualTo(9);
    assertThat(v.usage("tokens-day").orElseThrow().remaining()).isZero();
    assertThat(v.usage("images-week").orElseThrow().remaining()).isEqualTo(49);
    assertThat(v.usage("files-day").orElseThrow().remaining()).isEqualTo(4);
    assertThat(v.usage("files-chat")).as("no per-chat limit on this plan").isEmpty();
    assertThat(v.usage().stream().map(u -> u.quota().id()).collect(Collectors.toList())).containsExactly(
        "images-day", "images-week", "images-month", "messages-hour", "messages-day", "tokens-day", "files-day");
    assertThat(used("u1", plan, "messages-day")).as("a dry run counts nothing").isEqualTo(1);

    advance(Duration.ofDays(1));
    Validation ok = gate.validate("u1", plan, AiCall.message("m"));
    assertThat(ok.isValid()).isTrue();
    assertThat(ok.httpStatus()).isEqualTo(200);
    assertThat(ok.first()).isEmpty();
    assertThat(ok.summary(FA)).isEqualTo("همه محدودیت" + ZWNJ + "ها رعایت شده" + ZWNJ + "اند");
    assertThat(ok.summary(EN)).isEqualTo("All limits are respected.");
    assertThat(v.summary(EN)).isEqualTo("You have reached your daily image generation limit (1).");
    assertThat(gate.validate("u1", null, AiCall.message("m")).httpStatus()).isEqualTo(403);
  }

  // --- zone and week start

  @Test
  void weeksStartOnTheConfiguredDayInTheConfiguredZone() {
    gate = AiGate.builder(counter).clock(clock).zone(ZoneId.of("Asia/Tehran")).weekStart(DayOfWeek.SATURDAY).build();
    Plan plan = Plan.builder("p").limit(PlanLimit.MESSAGES_PER_WEEK, 1).build();
    set("2026-03-06T19:00:00Z");   // Friday 22:30 in Tehran
    send("u1", plan, AiCall.message("m"), AiUsage.of(1));
    AiPermit denied = gate.before("u1", plan, AiCall.message("m"));
    assertThat(denied.decision()).isDeniedBy("messages-week").hasRetryAfter(Duration.ofMinutes(90));
    set("2026-03-06T20:30:00Z");   // Saturday 00:00 in Tehran
    assertThat(gate.before("u1", plan, AiCall.message("m")).decision()).isAllowed();
  }

  // --- messages are overridable by quota id

  @Test
  void anAdminOverridesAMessageByQuotaId() {
    MessageCatalog custom = PlanMessages.chatBuilder()
        .template(FA, "quota.messages-hour", "سقف پیام ساعتی شما {limit} است").build();
    gate = AiGate.builder(counter).clock(clock).messages(custom).build();
    Plan plan = Plan.builder("p").limit(PlanLimit.MESSAGES_PER_HOUR, 1).build();
    send("u1", plan, AiCall.message("m"), AiUsage.of(1));
    assertThat(gate.before("u1", plan, AiCall.message("m")).message(FA)).hasValue("سقف پیام ساعتی شما 1 است");
  }

  // --- concurrency: no check-then-count race

  @Test
  void manyThreadsNeverGetMoreMessagesThanTheLimit() throws Exception {
    Plan plan = Plan.builder("p").limit(PlanLimit.MESSAGES_PER_HOUR, 10).build();
    int threads = 48;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Boolean>> results = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      results.add(pool.submit(() -> {
        start.await();
        try (AiPermit p = gate.before("u1", plan, AiCall.message("m").estimatedTokens(5))) {
          if (p.isGranted()) {
            p.commit(AiUsage.of(7));
          }
          return p.isGranted();
        }
      }));
    }
    start.countDown();
    int granted = 0;
    for (Future<Boolean> f : results) {
      granted += f.get(30, TimeUnit.SECONDS) ? 1 : 0;
    }
    pool.shutdown();
    assertThat(granted).isEqualTo(10);
    assertThat(used("u1", plan, "messages-hour")).isEqualTo(10);
  }

  @Test
  void racingUploadsNeverOvershootThePerUserOrThePerChatLimit() throws Exception {
    Plan plan = Plan.builder("p").limit(PlanLimit.FILES_PER_DAY, 10).limit(PlanLimit.FILES_PER_CHAT, 3).build();
    int threads = 60;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<String>> results = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      String chat = "c" + (i % 5);
      results.add(pool.submit(() -> {
        start.await();
        try (AiPermit p = gate.before("u1", plan, AiCall.upload().chat(chat).file(FileSpec.named("a.pdf", 1)))) {
          if (!p.isGranted()) {
            return null;
          }
          p.commit(AiUsage.of(0));
          return chat;
        }
      }));
    }
    start.countDown();
    java.util.Map<String, Integer> perChat = new java.util.HashMap<>();
    int granted = 0;
    for (Future<String> f : results) {
      String chat = f.get(30, TimeUnit.SECONDS);
      if (chat != null) {
        granted++;
        perChat.merge(chat, 1, Integer::sum);
      }
    }
    pool.shutdown();
    assertThat(granted).isBetween(1, 10);
    assertThat(perChat.values()).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(3));
    assertThat(used("u1", plan, "files-day")).as("refused uploads gave their reservations back").isEqualTo((long) granted);
    for (int c = 0; c < 5; c++) {
      assertThat(usage("u1", plan, "c" + c, "files-chat").used()).isEqualTo((long) perChat.getOrDefault("c" + c, 0));
    }
  }

  @Test
  void aDecisionIsAValueNotAnException() {
    Decision d = gate.before("u1", null, AiCall.message("m")).decision();
    assertThat(d.isAllowed()).isFalse();
    assertThat(d.outcome()).isEqualTo(Decision.Outcome.FORBIDDEN);
  }
}
