package dev.limits.plans;

import dev.limits.Decision;
import dev.limits.Denial;
import dev.limits.LimitPolicy;
import dev.limits.LimitRequest;
import dev.limits.Limiter;
import dev.limits.MessageCatalog;
import dev.limits.PeriodClock;
import dev.limits.Quota;
import dev.limits.QuotaUsage;
import dev.limits.Reservation;
import dev.limits.Window;
import dev.limits.plans.internal.Names;
import dev.limits.plans.internal.PlanCompiler;
import dev.limits.plans.internal.PlanPolicies;
import dev.limits.spi.UsageCounter;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The limits of an AI-chat backend around each AI call, in the order a chat backend needs them: check and reserve before
 * the call, settle to what it used after it.
 *
 * <p>{@link #before} checks in this order, the first failure winning: subscription active (403), model access
 * (403), for a free model its monthly free pool (429), then the time windows: image limits (only when generating
 * an image), messages, and for a paid model its tokens, its own budget and the cost budget (429), then each
 * file's size and extension (403) and the upload counts per user and per chat session (429). It reserves atomically per
 * subject; when a later subject denies, what was reserved for the earlier ones is cancelled, so nothing is ever
 * over-counted. A member of an {@link Organisation} also draws on its shared pool: the
 * {@linkplain #before(String, Plan, Organisation, AiCall) organisation's overload} checks and reserves the
 * user's quotas and the pool's together, in one all-or-nothing step.
 * {@link #validate} is the dry run that reports every failure and the remaining quota of every limit.
 * {@link #redeem} redeems a discount code atomically and {@link #checkUpgrade} applies the pluggable
 * {@link UpgradeRule}.
 *
 * <p>Counters live in the {@link UsageCounter} given to the builder and are keyed by user, metric and window,
 * not by plan: a user who changes plan keeps the usage counted so far in every limit both plans have. (A
 * window the old plan did not limit was not counted, so it starts from zero under the new plan.) Each distinct
 * plan is compiled to limits policies once (a small cache): a limited {@link PlanLimit} becomes one quota, an
 * unlimited one none. Thread-safe: one gate serves a whole application.
 *
 * @see Plan
 * @see AiPermit
 * @see HttpLimits
 */
public final class AiGate {

  private static final Logger LOG = LoggerFactory.getLogger(AiGate.class);
  private static final int MAX_CACHED_PLANS = 1024;
  /** A policy no instant satisfies: the decision for a user with no subscription at all. */
  private static final LimitPolicy NO_SUBSCRIPTION = LimitPolicy.builder("no-subscription")
      .validity(Instant.EPOCH, Instant.EPOCH.plusMillis(1)).build();

  private final Limiter limiter;
  private final Limiter codeLimiter;
  private final ZoneId zone;
  private final DayOfWeek weekStart;
  private final UpgradeRule upgradeRule;
  private final ConcurrentHashMap<Plan, PlanPolicies> compiled = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<OrganisationPlan, LimitPolicy> organisations = new ConcurrentHashMap<>();

  private AiGate(Builder b) {
    this.limiter = Limiter.builder(b.counter).clock(b.clock).messages(b.messages).failOpen(b.failOpen).build();
    this.codeLimiter = Limiter.builder(b.counter).clock(b.clock).messages(b.codeMessages).build();
    this.zone = b.zone;
    this.weekStart = b.weekStart;
    this.upgradeRule = b.upgradeRule;
  }

  /**
   * Starts a gate counting in {@code counter}.
   *
   * @param counter where usage is counted
   * @return a builder
   * @throws NullPointerException if {@code counter} is null
   */
  public static Builder builder(UsageCounter counter) {
    return new Builder(Objects.requireNonNull(counter, "counter"));
  }

  /** {@code plan} compiled in this gate's zone and week start, once and then cached. */
  private PlanPolicies policies(Plan plan) {
    Objects.requireNonNull(plan, "plan");
    PlanPolicies p = compiled.get(plan);
    if (p == null) {
      if (compiled.size() >= MAX_CACHED_PLANS) {
        compiled.clear();   // plans carry per-user dates, so the cache is bounded, not exact
      }
      p = compiled.computeIfAbsent(plan, k -> PlanCompiler.compile(k, zone, weekStart));
    }
    return p;
  }

  /** {@code plan} compiled in this gate's zone, once and then cached. */
  private LimitPolicy organisationPolicy(OrganisationPlan plan) {
    LimitPolicy p = organisations.get(plan);
    if (p == null) {
      if (organisations.size() >= MAX_CACHED_PLANS) {
        organisations.clear();
      }
      p = organisations.computeIfAbsent(plan, k -> PlanCompiler.compile(k, zone));
    }
    return p;
  }

  /**
   * Checks {@code call} by {@code user} under {@code plan} and reserves what it needs; settle the returned
   * permit after the call.
   *
   * @param user the user id
   * @param plan the user's plan with their subscription dates; null if they have no subscription (403)
   * @param call the call
   * @return a granted permit holding what was reserved, or a denied one carrying the first denial
   * @throws NullPointerException     if {@code user} or {@code call} is null
   * @throws IllegalArgumentException if the user id is malformed
   */
  public AiPermit before(String user, @Nullable Plan plan, AiCall call) {
    return reserve(user, plan, null, call);
  }

  /**
   * Checks {@code call} by {@code user}, a member of {@code organisation}, under the user's {@code plan} and
   * the organisation's shared plan, and reserves what it needs from both in one all-or-nothing step: the
   * user's quotas and the organisation's pool are checked and counted together, the strictest deciding, so
   * members calling at the same time never overdraw the pool, and a call the pool refuses counts against
   * nobody (a denial by the pool names the organisation's subject and quota). Settle the returned permit after
   * the call: the organisation is settled with the user.
   *
   * @param user         the user id
   * @param plan         the user's plan with their subscription dates; null if they have no subscription (403)
   * @param organisation the organisation the user belongs to, whose pool the call draws on
   * @param call         the call
   * @return a granted permit holding what was reserved, or a denied one carrying the first denial
   * @throws NullPointerException     if {@code user}, {@code organisation} or {@code call} is null
   * @throws IllegalArgumentException if the user id is malformed
   */
  public AiPermit before(String user, @Nullable Plan plan, Organisation organisation, AiCall call) {
    return reserve(user, plan, Objects.requireNonNull(organisation, "organisation"), call);
  }

  private AiPermit reserve(String user, @Nullable Plan plan, @Nullable Organisation organisation, AiCall call) {
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(call, "call");
    if (plan == null) {
      return AiPermit.denied(limiter.check(NO_SUBSCRIPTION, LimitRequest.of(user)));
    }
    PlanPolicies p = policies(plan);
    LimitRequest chatRequest = chatRequest(user, plan, organisation, call);
    List<Reservation> held = new ArrayList<>(3);
    try {
      Reservation chat = limiter.acquire(p.chat(), chatRequest);
      if (!chat.isGranted()) {
        return AiPermit.denied(chat.decision());
      }
      held.add(chat);
      if (!call.files().isEmpty()) {
        for (FileSpec f : call.files()) {
          Decision d = limiter.check(p.files(), LimitRequest.of(user).file(f.sizeBytes(), f.extension()));
          if (!d.isAllowed()) {
            AiPermit.cancelAll(held);
            return AiPermit.denied(d);
          }
        }
        int n = call.files().size();
        Reservation files = limiter.acquire(p.files(), LimitRequest.of(user).amount(PlanMetrics.FILES, n));
        if (!files.isGranted()) {
          AiPermit.cancelAll(held);
          return AiPermit.denied(files.decision());
        }
        held.add(files);
        if (call.chat() != null) {
          Reservation chatFiles = limiter.acquire(p.chatFiles(),
              LimitRequest.of(Names.chatSubject(user, call.chat())).amount(PlanMetrics.FILES, n));
          if (!chatFiles.isGranted()) {
            AiPermit.cancelAll(held);
            return AiPermit.denied(chatFiles.decision());
          }
          held.add(chatFiles);
        }
      }
      Allowance maxTokens = call.isMessage() && plan.isFree(call.model()) ? plan.maxTokensFree()
          : Allowance.unlimited();
      return AiPermit.granted(chat.decision(), held, chatRequest.amounts().asMap().keySet(), maxTokens);
    } catch (RuntimeException e) {
      try {
        AiPermit.cancelAll(held);
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /**
   * Checks {@code call} without counting anything: every rule and quota that would deny it, and the usage of
   * every limit of the plan.
   *
   * @param user the user id
   * @param plan the user's plan; null if they have no subscription
   * @param call the call
   * @return every denial, in the order {@link #before} meets them, and the usage of every limit of the plan
   *     (no usage without a plan)
   * @throws NullPointerException     if {@code user} or {@code call} is null
   * @throws IllegalArgumentException if the user id is malformed
   * @throws dev.limits.spi.StorageException if the counter failed while reading usage
   */
  public Validation validate(String user, @Nullable Plan plan, AiCall call) {
    return dryRun(user, plan, null, call);
  }

  /**
   * Checks {@code call} by {@code user}, a member of {@code organisation}, without counting anything: as
   * {@link #validate(String, Plan, AiCall)}, with the organisation's pool checked too (its denials come with
   * the user's) and its usage reported after the user's.
   *
   * @param user         the user id
   * @param plan         the user's plan; null if they have no subscription
   * @param organisation the organisation the user belongs to
   * @param call         the call
   * @return every denial, and the usage of every limit of the plan and of the organisation's plan
   * @throws NullPointerException     if {@code user}, {@code organisation} or {@code call} is null
   * @throws IllegalArgumentException if the user id is malformed
   * @throws dev.limits.spi.StorageException if the counter failed while reading usage
   */
  public Validation validate(String user, @Nullable Plan plan, Organisation organisation, AiCall call) {
    return dryRun(user, plan, Objects.requireNonNull(organisation, "organisation"), call);
  }

  private Validation dryRun(String user, @Nullable Plan plan, @Nullable Organisation organisation,
      AiCall call) {
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(call, "call");
    if (plan == null) {
      Decision d = limiter.check(NO_SUBSCRIPTION, LimitRequest.of(user));
      return new Validation(d.denials(), List.of(), limiter.messages(), zone);
    }
    PlanPolicies p = policies(plan);
    List<Denial> denials = new ArrayList<>(
        limiter.check(p.chat(), chatRequest(user, plan, organisation, call)).denials());
    if (!call.files().isEmpty()) {
      for (FileSpec f : call.files()) {
        denials.addAll(limiter.check(p.files(), LimitRequest.of(user).file(f.sizeBytes(), f.extension())).denials());
      }
      int n = call.files().size();
      denials.addAll(limiter.check(p.files(), LimitRequest.of(user).amount(PlanMetrics.FILES, n)).denials());
      if (call.chat() != null) {
        denials.addAll(limiter.check(p.chatFiles(),
            LimitRequest.of(Names.chatSubject(user, call.chat())).amount(PlanMetrics.FILES, n)).denials());
      }
    }
    List<QuotaUsage> usage = usage(user, plan, call.chat());
    if (organisation != null) {
      usage = new ArrayList<>(usage);
      usage.addAll(usage(organisation));
    }
    return new Validation(denials, usage, limiter.messages(), zone);
  }

  /**
   * Reports the usage of every limit of {@code plan} for {@code user}: chat quotas, user file quotas and, with
   * a chat session, its file quota; for a usage panel.
   *
   * @param user the user id
   * @param plan the user's plan
   * @param chat the chat session, or null
   * @return the usage of each quota: chat quotas, then user file quotas, then the chat's file quota
   * @throws NullPointerException     if {@code user} or {@code plan} is null
   * @throws IllegalArgumentException if the user or chat id is malformed
   * @throws dev.limits.spi.StorageException if the counter failed
   */
  public List<QuotaUsage> usage(String user, Plan plan, @Nullable String chat) {
    Objects.requireNonNull(user, "user");
    PlanPolicies p = policies(plan);
    List<QuotaUsage> usage = new ArrayList<>(limiter.usage(p.chat(), user).quotas());
    usage.addAll(limiter.usage(p.files(), user).quotas());
    if (chat != null && !p.chatFiles().quotas().isEmpty()) {
      usage.addAll(limiter.usage(p.chatFiles(), Names.chatSubject(user, chat)).quotas());
    }
    return usage;
  }

  /**
   * Reports the usage of every limit of {@code organisation}'s shared plan: what its members have used of the
   * pool together; for an organisation's admin panel.
   *
   * @param organisation the organisation
   * @return the usage of each quota of the organisation's plan
   * @throws NullPointerException if {@code organisation} is null
   * @throws dev.limits.spi.StorageException if the counter failed
   */
  public List<QuotaUsage> usage(Organisation organisation) {
    Objects.requireNonNull(organisation, "organisation");
    return limiter.usage(organisationPolicy(organisation.plan()), Names.organisationSubject(organisation.id()))
        .quotas();
  }

  /**
   * Redeems {@code code} for {@code user}: checks expiry (403), then reserves one of the user's uses and one of
   * the code's total uses (429 if either is used up). The two are different counters: the user's use is
   * reserved first and given back if the total is used up, so neither limit is ever overshot; and since a
   * user's own counter is the only one held while the other is tried, a user refused for having used the code
   * already never holds up anyone else. When many users race for the last use, exactly one gets it. Commit the
   * redemption once the discount is applied.
   *
   * @param user the user id
   * @param code the code with its limits
   * @return a granted redemption holding both uses, or a denied one carrying the denial
   * @throws NullPointerException     if an argument is null
   * @throws IllegalArgumentException if the user id is malformed
   */
  public CodeRedemption redeem(String user, DiscountCode code) {
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(code, "code");
    String codeSubject = "code/" + Names.escape(code.code());
    LimitPolicy.Builder perUser = LimitPolicy.builder("code " + code.code() + " per user")
        .track(PlanMetrics.CODE_USES);
    code.expiresAt().ifPresent(at -> perUser.validity(Instant.MIN, at));
    if (!code.maxUsesPerUser().isUnlimited()) {
      perUser.quota(new Quota("code-uses-per-user", PlanMetrics.CODE_USES, Window.lifetime(),
          code.maxUsesPerUser().max(), null));
    }
    LimitPolicy.Builder total = LimitPolicy.builder("code " + code.code()).track(PlanMetrics.CODE_USES);
    if (!code.maxUses().isUnlimited()) {
      total.quota(new Quota("code-uses", PlanMetrics.CODE_USES, Window.lifetime(), code.maxUses().max(), null));
    }
    LimitRequest userRequest = LimitRequest.of(codeSubject + "/" + user).amount(PlanMetrics.CODE_USES, 1);
    Reservation mine = codeLimiter.acquire(perUser.build(), userRequest);
    if (!mine.isGranted()) {
      return new CodeRedemption(mine.decision(), List.of());
    }
    Reservation all;
    try {
      all = codeLimiter.acquire(total.build(), LimitRequest.of(codeSubject).amount(PlanMetrics.CODE_USES, 1));
    } catch (RuntimeException e) {
      mine.close();
      throw e;
    }
    if (!all.isGranted()) {
      mine.cancel();
      return new CodeRedemption(all.decision(), List.of());
    }
    return new CodeRedemption(all.decision(), List.of(mine, all));
  }

  /**
   * Decides whether a user on {@code current} may move to {@code target}, with the configured
   * {@link UpgradeRule}; a rule that throws refuses with {@link UpgradeCheck#UNAVAILABLE}.
   *
   * @param current the user's plan with their subscription dates; null if they have none
   * @param target  the plan asked for
   * @return the rule's decision; a refusal with {@link UpgradeCheck#UNAVAILABLE} if the rule failed
   * @throws NullPointerException if {@code target} is null
   */
  public UpgradeCheck checkUpgrade(@Nullable Plan current, Plan target) {
    Objects.requireNonNull(target, "target");
    try {
      UpgradeCheck c = upgradeRule.evaluate(current, target, limiter.clock().instant());
      if (c == null) {
        LOG.warn("upgrade rule {} returned null; refusing", upgradeRule);
        return UpgradeCheck.refused(UpgradeCheck.UNAVAILABLE);
      }
      return c;
    } catch (RuntimeException e) {
      LOG.warn("upgrade rule {} failed; refusing: {}", upgradeRule, e.toString());
      return UpgradeCheck.refused(UpgradeCheck.UNAVAILABLE);
    }
  }

  private LimitRequest chatRequest(String user, Plan plan, @Nullable Organisation organisation, AiCall call) {
    LimitRequest r = LimitRequest.of(user);
    if (organisation != null && call.model() != null) {
      r = r.alsoCharge(Names.organisationSubject(organisation.id()), organisationPolicy(organisation.plan()));
    }
    String model = call.model();
    if (model == null) {
      return r;   // an upload (not a message): only the subscription is judged here
    }
    r = r.model(model);
    if (call.generatesImage()) {
      r = r.amount(PlanMetrics.IMAGES, 1);
    }
    r = r.amount(PlanMetrics.MESSAGES, 1);
    long tokens = call.estimatedTokens();
    if (plan.isFree(model)) {
      Allowance cap = plan.maxTokensFree();
      return r.amount(PlanMetrics.FREE_TOKENS, cap.isUnlimited() ? tokens : Math.min(tokens, cap.max()));
    }
    r = r.amount(PlanMetrics.TOKENS, tokens);
    if (plan.modelTokenBudgets().containsKey(model)) {
      r = r.amount(PlanMetrics.MODEL_TOKENS, tokens);
    }
    return r.amount(PlanMetrics.COST, AiCall.micros(call.estimatedCost()));
  }

  /**
   * Builds an {@link AiGate}. Each setter checks its argument at once. Not thread-safe.
   */
  public static final class Builder {
    private final UsageCounter counter;
    private PeriodClock clock = PeriodClock.system();
    private ZoneId zone = ZoneOffset.UTC;
    private DayOfWeek weekStart = DayOfWeek.MONDAY;
    private MessageCatalog messages = PlanMessages.chat();
    private MessageCatalog codeMessages = PlanMessages.codes();
    private UpgradeRule upgradeRule = UpgradeRule.standard();
    private boolean failOpen;

    private Builder(UsageCounter counter) {
      this.counter = counter;
    }

    /**
     * Sets the clock (default: the system clock).
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(PeriodClock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Sets the zone of calendar windows (default UTC; a product serving Iran would use Asia/Tehran).
     *
     * @param zone the zone
     * @return this builder
     */
    public Builder zone(ZoneId zone) {
      this.zone = Objects.requireNonNull(zone, "zone");
      return this;
    }

    /**
     * Sets the first day of weekly windows (default Monday; Saturday in Iran's calendar).
     *
     * @param weekStart the first day of a week
     * @return this builder
     */
    public Builder weekStart(DayOfWeek weekStart) {
      this.weekStart = Objects.requireNonNull(weekStart, "weekStart");
      return this;
    }

    /**
     * Sets the messages of AI calls and uploads (default {@link PlanMessages#chat()}).
     *
     * @param messages the catalog
     * @return this builder
     */
    public Builder messages(MessageCatalog messages) {
      this.messages = Objects.requireNonNull(messages, "messages");
      return this;
    }

    /**
     * Sets the messages of discount codes (default {@link PlanMessages#codes()}).
     *
     * @param messages the catalog
     * @return this builder
     */
    public Builder codeMessages(MessageCatalog messages) {
      this.codeMessages = Objects.requireNonNull(messages, "messages");
      return this;
    }

    /**
     * Sets the upgrade rule (default {@link UpgradeRule#standard()}).
     *
     * @param rule the rule
     * @return this builder
     */
    public Builder upgradeRule(UpgradeRule rule) {
      this.upgradeRule = Objects.requireNonNull(rule, "rule");
      return this;
    }

    /**
     * Whether AI calls go ahead when the counter fails (default false: 503). Discount codes always fail
     * closed.
     *
     * @param failOpen true to allow, false to deny
     * @return this builder
     */
    public Builder failOpen(boolean failOpen) {
      this.failOpen = failOpen;
      return this;
    }

    /**
     * Builds the gate.
     *
     * @return the gate
     */
    public AiGate build() {
      return new AiGate(this);
    }
  }

  @Override
  public String toString() {
    return "AiGate[zone=" + zone + ", weekStart=" + weekStart + "]";
  }
}
