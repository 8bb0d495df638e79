package dev.limits.examples;

import dev.limits.UsageCounters;
import dev.limits.jdbc.JdbcUsageCounter;
import java.util.concurrent.atomic.AtomicInteger;
import org.h2.jdbcx.JdbcDataSource;
import dev.limits.MessageCatalog;
import dev.limits.PeriodClock;
import dev.limits.QuotaUsage;
import dev.limits.plans.AiCall;
import dev.limits.plans.AiGate;
import dev.limits.plans.AiPermit;
import dev.limits.plans.AiUsage;
import dev.limits.plans.Allowance;
import dev.limits.plans.Organisation;
import dev.limits.plans.OrganisationPlan;
import dev.limits.plans.Plan;
import dev.limits.plans.PlanLimit;
import dev.limits.plans.PlanMessages;
import dev.limits.plans.PlanMetrics;
import dev.limits.spi.UsageCounter;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The simulated AI-chat backend shared by {@link ChatDemo} and {@link HttpChatServer}: three accounts on
 * {@link Plan}s, one {@link AiGate} per week start over a single {@link UsageCounter}, and a fake AI whose token
 * use and price are deterministic. Thread-safe.
 */
final class ChatBackend {

  static final ZoneId TEHRAN = ZoneId.of("Asia/Tehran");

  static final String MINI = "openai/gpt-4o-mini";
  static final String GPT = "openai/gpt-4o";
  static final String CLAUDE = "anthropic/claude-3.5-sonnet";
  static final String LLAMA = "meta/llama-3-8b";
  static final String DALLE = "openai/dall-e-3";

  /** Simulated provider prices in dollars per 1,000 tokens; free models cost nothing. */
  private static final Map<String, BigDecimal> PRICE_PER_1K = Map.of(
      MINI, new BigDecimal("0.0006"), GPT, new BigDecimal("0.01"), CLAUDE, new BigDecimal("0.015"));
  /** Simulated price of one generated image. */
  static final BigDecimal IMAGE_PRICE = new BigDecimal("0.01");

  /**
   * The one place the demo's counter is made: a {@link JdbcUsageCounter} on a fresh embedded H2 database, the
   * tables created at start. Every counter implements the same {@link UsageCounter} SPI, so
   * {@code UsageCounters.inMemory()} or a PostgreSQL {@code DataSource} would do here as well.
   */
  static UsageCounter newCounter() {
    JdbcDataSource h2 = new JdbcDataSource();
    h2.setURL("jdbc:h2:mem:limits-demo-" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1");
    return JdbcUsageCounter.builder(h2).createSchemaIfMissing(true).build();
  }

  private static final AtomicInteger DATABASES = new AtomicInteger();

  /** The shipped discount-code messages, one overridden as an admin would (the shipped one says "1 times"). */
  static final MessageCatalog CODE_MESSAGES = PlanMessages.codeBuilder()
      .template(Locale.ENGLISH, "quota.code-uses-per-user",
          "You have already used this discount code ({limit} per user).")
      .build();

  /**
   * A user with their plan (and subscription dates), the first day of their weeks, and the organisation whose
   * pool they also draw on, if any.
   */
  record Account(String user, String label, Plan plan, DayOfWeek weekStart, @Nullable Organisation organisation) {
    Account(String user, String label, Plan plan, DayOfWeek weekStart) {
      this(user, label, plan, weekStart, null);
    }
  }

  /** The studio, an organisation whose members share 6,000 paid-model tokens a day. */
  static Organisation studio() {
    return new Organisation("studio", OrganisationPlan.builder("team").tokensPerDay(Allowance.of(6_000)).build());
  }

  /** The free plan: free models, a few paid-model messages, small files. */
  static Plan freePlan() {
    return Plan.builder("free")
        .allowModels(MINI, DALLE).freeModels(LLAMA)
        .limit(PlanLimit.MESSAGES_PER_HOUR, 3).limit(PlanLimit.MESSAGES_PER_DAY, 20)
        .limit(PlanLimit.TOKENS_PER_DAY, 3_000)
        .limit(PlanLimit.FREE_MODEL_TOKENS_PER_MONTH, 2_000).maxTokensFree(1_000)
        .limit(PlanLimit.IMAGES_PER_DAY, 2).limit(PlanLimit.IMAGES_PER_WEEK, 3).limit(PlanLimit.IMAGES_PER_MONTH, 20)
        .limit(PlanLimit.FILES_PER_DAY, 2).limit(PlanLimit.FILES_PER_CHAT, 5)
        .maxFileSize(5_000_000).allowExtensions("pdf", "png", "jpg", "txt")
        .build();
  }

  /** The pro plan: paid models, a daily token quota and a monthly cost budget. */
  static Plan proPlan() {
    return Plan.builder("pro")
        .allowModels(MINI, GPT, CLAUDE, DALLE).freeModels(LLAMA)
        .limit(PlanLimit.MESSAGES_PER_HOUR, 30)
        .limit(PlanLimit.TOKENS_PER_DAY, 8_000).costBudget(new BigDecimal("0.10"))
        .limit(PlanLimit.IMAGES_PER_DAY, 2).limit(PlanLimit.IMAGES_PER_WEEK, 4).limit(PlanLimit.IMAGES_PER_MONTH, 40)
        .limit(PlanLimit.FILES_PER_DAY, 10).limit(PlanLimit.FILES_PER_CHAT, 3)
        .maxFileSize(20_000_000).allowExtensions("pdf", "png", "jpg", "txt", "docx")
        .build();
  }

  /** A plan no longer offered: not a valid upgrade target. */
  static Plan businessPlan() {
    return proPlan().toBuilder().enabled(false).build();
  }

  /**
   * The demo's users: ali (free), sara (pro, weeks from Saturday), reza (pro, ended 20 Feb 2026), and nima and
   * leila (pro, members of the studio).
   */
  static Map<String, Account> accounts() {
    Map<String, Account> a = new LinkedHashMap<>();
    a.put("ali", new Account("ali", "free", freePlan().toBuilder()
        .activeFrom(Instant.parse("2026-01-01T00:00:00Z")).build(), DayOfWeek.MONDAY));
    a.put("sara", new Account("sara", "pro", proPlan().toBuilder()
        .activeFrom(Instant.parse("2026-02-01T00:00:00Z")).activeUntil(Instant.parse("2027-02-01T00:00:00Z")).build(),
        DayOfWeek.SATURDAY));
    a.put("reza", new Account("reza", "pro", proPlan().toBuilder()
        .activeFrom(Instant.parse("2026-01-20T00:00:00Z")).activeUntil(Instant.parse("2026-02-20T00:00:00Z")).build(),
        DayOfWeek.MONDAY));
    Plan member = proPlan().toBuilder().activeFrom(Instant.parse("2026-02-01T00:00:00Z")).build();
    a.put("nima", new Account("nima", "pro", member, DayOfWeek.MONDAY, studio()));
    a.put("leila", new Account("leila", "pro", member, DayOfWeek.MONDAY, studio()));
    return a;
  }

  /** What one request asked, what the gate decided and what the simulated AI used. */
  record Exchange(AiCall call, AiPermit permit, long tokens, BigDecimal cost, boolean imageSaved) {
    int status() {
      return permit.httpStatus();
    }
  }

  private final Map<DayOfWeek, AiGate> gates = new EnumMap<>(DayOfWeek.class);
  private final Map<String, Account> accounts;
  private final AtomicLong calls = new AtomicLong();

  ChatBackend(UsageCounter counter, PeriodClock clock) {
    Objects.requireNonNull(counter, "counter");
    Objects.requireNonNull(clock, "clock");
    this.accounts = accounts();
    for (DayOfWeek d : DayOfWeek.values()) {
      gates.put(d, AiGate.builder(counter).clock(clock).zone(TEHRAN).weekStart(d).codeMessages(CODE_MESSAGES).build());
    }
  }

  /** The account of {@code user}, if there is one. */
  Optional<Account> account(String user) {
    return Optional.ofNullable(accounts.get(user));
  }

  /** The gate counting {@code account}'s weeks from their week start. */
  AiGate gate(Account account) {
    return Objects.requireNonNull(gates.get(account.weekStart()), "a gate per week start");
  }

  /** The gate of users with Monday weeks, for codes and upgrades. */
  AiGate gate() {
    return Objects.requireNonNull(gates.get(DayOfWeek.MONDAY), "a gate per week start");
  }

  /**
   * Handles one request by {@code account} (null: a user without an account, 403): reserves before the
   * simulated AI call, then settles to the tokens and cost it used.
   */
  Exchange send(String user, @Nullable Account account, AiCall call) {
    AiGate gate = account == null ? gate() : gate(account);
    Plan plan = account == null ? null : account.plan();
    Organisation organisation = account == null ? null : account.organisation();
    try (AiPermit permit = organisation == null ? gate.before(user, plan, call)
        : gate.before(user, plan, organisation, call)) {
      if (!permit.isGranted()) {
        return new Exchange(call, permit, 0, BigDecimal.ZERO, false);
      }
      long tokens = 0;
      BigDecimal cost = BigDecimal.ZERO;
      if (call.isMessage()) {
        tokens = simulatedTokens(call.estimatedTokens());
        if (!permit.maxTokens().isUnlimited()) {
          tokens = Math.min(tokens, permit.maxTokens().max());
        }
        cost = price(call.model(), tokens, call.generatesImage());
      }
      permit.commit(AiUsage.of(tokens).withCost(cost).withImagesSaved(call.generatesImage()));
      return new Exchange(call, permit, tokens, cost, call.generatesImage());
    }
  }

  /** The usage of every limit of {@code account}'s plan, with the file quota of {@code chat} if given. */
  List<QuotaUsage> usage(Account account, @Nullable String chat) {
    return gate(account).usage(account.user(), account.plan(), chat);
  }

  /** The limit {@code exchange} came closest to, after it: the lowest share left. */
  Optional<QuotaUsage> tightest(Account account, Exchange exchange) {
    List<String> touched = exchange.permit().decision().usage().stream().map(u -> u.quota().id()).toList();
    boolean upload = !exchange.call().isMessage();
    return usage(account, exchange.call().chat()).stream()
        .filter(u -> upload ? u.quota().metric().equals(PlanMetrics.FILES) : touched.contains(u.quota().id()))
        .min(Comparator.comparingDouble(u -> (double) u.remaining() / Math.max(1, u.limit())));
  }

  /** A model reply's tokens: the estimate give or take a little, deterministically. */
  private long simulatedTokens(long estimate) {
    long[] percent = {92, 104, 88, 97};
    return estimate * percent[(int) (calls.getAndIncrement() % percent.length)] / 100;
  }

  /** The simulated provider price of a reply, in dollars. */
  static BigDecimal price(@Nullable String model, long tokens, boolean image) {
    BigDecimal perK = model == null ? BigDecimal.ZERO : PRICE_PER_1K.getOrDefault(model, BigDecimal.ZERO);
    BigDecimal cost = perK.multiply(BigDecimal.valueOf(tokens)).divide(BigDecimal.valueOf(1000), 6,
        RoundingMode.CEILING);
    return image ? cost.add(IMAGE_PRICE) : cost;
  }
}
