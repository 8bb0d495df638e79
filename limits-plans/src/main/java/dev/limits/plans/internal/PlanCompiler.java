package dev.limits.plans.internal;

import dev.limits.LimitPolicy;
import dev.limits.Metric;
import dev.limits.ModelGroup;
import dev.limits.Quota;
import dev.limits.Window;
import dev.limits.plans.Allowance;
import dev.limits.plans.OrganisationPlan;
import dev.limits.plans.Plan;
import dev.limits.plans.PlanLimit;
import dev.limits.plans.PlanMetrics;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneId;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Compiles a {@link Plan} to the three {@link LimitPolicy} objects the gate checks (see {@link PlanPolicies}):
 * each limited {@link PlanLimit} becomes one quota, an unlimited one none. Equal plans compile to equivalent
 * policies. Stateless and thread-safe.
 */
public final class PlanCompiler {

  /** Every metric of a chat policy. */
  private static final List<Metric> CHAT_METRICS = List.of(PlanMetrics.IMAGES, PlanMetrics.MESSAGES,
      PlanMetrics.TOKENS, PlanMetrics.MODEL_TOKENS, PlanMetrics.FREE_TOKENS, PlanMetrics.COST);

  private PlanCompiler() {}

  /**
   * Compiles {@code plan} with calendar windows in {@code zone} and weeks starting on {@code weekStart}.
   *
   * @param plan      the plan
   * @param zone      the zone of calendar windows
   * @param weekStart the first day of weekly windows
   * @return the compiled policies
   * @throws NullPointerException if an argument is null
   */
  public static PlanPolicies compile(Plan plan, ZoneId zone, DayOfWeek weekStart) {
    Objects.requireNonNull(plan, "plan");
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(weekStart, "weekStart");
    String name = plan.name();
    LimitPolicy.Builder chat = LimitPolicy.builder(name + "/chat").zone(zone);
    CHAT_METRICS.forEach(chat::track);
    if (plan.activeFrom().isPresent() || plan.activeUntil().isPresent()) {
      chat.validity(plan.activeFrom().orElse(Instant.MIN), plan.activeUntil().orElse(Instant.MAX));
    }
    if (!plan.allowedModels().isEmpty()) {
      Set<String> models = new LinkedHashSet<>(plan.allowedModels());
      models.addAll(plan.freeModels());
      chat.allowModels(models);
    }
    LimitPolicy.Builder files = LimitPolicy.builder(name + "/files").zone(zone).track(PlanMetrics.FILES);
    Allowance maxFileSize = plan.maxFileSize();
    if (!maxFileSize.isUnlimited()) {
      files.maxFileSize(maxFileSize.max());
    }
    if (!plan.allowedExtensions().isEmpty()) {
      files.allowExtensions(plan.allowedExtensions().toArray(String[]::new));
    }
    LimitPolicy.Builder chatFiles = LimitPolicy.builder(name + "/chat-files").zone(zone).track(PlanMetrics.FILES);
    for (PlanLimit l : PlanLimit.values()) {
      Allowance a = plan.limit(l);
      if (!a.isUnlimited()) {
        Quota q = new Quota(l.quotaId(), l.metric(), l.window(weekStart), a.max(), null);
        (l.metric().equals(PlanMetrics.FILES) ? (l.perChat() ? chatFiles : files) : chat).quota(q);
      }
      if (l == PlanLimit.TOKENS_PER_MONTH) {   // per-model budgets are checked after the plan's token limits
        plan.modelTokenBudgets().forEach((model, budget) -> chat.quota(new Quota(modelQuotaId(model),
            PlanMetrics.MODEL_TOKENS, Window.month(), budget, new ModelGroup(Names.groupName(model), Set.of(model)))));
      }
    }
    plan.costBudgetUsd().ifPresent(usd -> chat.quota(new Quota("cost-month", PlanMetrics.COST, Window.month(),
        PlanMetrics.COST.amountOf(usd), null)));
    return new PlanPolicies(chat.build(), files.build(), chatFiles.build());
  }

  /**
   * Compiles an organisation's plan to the policy its members' calls are also charged under: the shared
   * paid-token pool per day and per month, and the monthly cost budget. It tracks every chat metric, so that
   * one request carries a member's call to both the member's and the organisation's policy.
   *
   * @param plan the organisation's plan
   * @param zone the zone of calendar windows
   * @return the policy
   * @throws NullPointerException if an argument is null
   */
  public static LimitPolicy compile(OrganisationPlan plan, ZoneId zone) {
    Objects.requireNonNull(plan, "plan");
    LimitPolicy.Builder org = LimitPolicy.builder("organisation " + plan.name()).zone(Objects.requireNonNull(zone,
        "zone"));
    CHAT_METRICS.forEach(org::track);
    if (!plan.tokensPerDay().isUnlimited()) {
      org.quota(new Quota("org-tokens-day", PlanMetrics.TOKENS, Window.day(), plan.tokensPerDay().max(), null));
    }
    if (!plan.tokensPerMonth().isUnlimited()) {
      org.quota(new Quota("org-tokens-month", PlanMetrics.TOKENS, Window.month(), plan.tokensPerMonth().max(),
          null));
    }
    plan.costBudgetUsd().ifPresent(usd -> org.quota(new Quota("org-cost-month", PlanMetrics.COST, Window.month(),
        PlanMetrics.COST.amountOf(usd), null)));
    return org.build();
  }

  /** The id of the quota holding {@code model}'s own budget. */
  private static String modelQuotaId(String model) {
    return "model-tokens:" + model;
  }
}
