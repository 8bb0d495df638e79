package dev.limits.plans.internal;

import dev.limits.plans.Allowance;
import dev.limits.plans.InvalidPlanException;
import dev.limits.plans.OrganisationPlan;
import dev.limits.plans.Plan;
import dev.limits.plans.PlanLimit;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Reads a {@link Plan} from admin settings ({@link Plan#fromConfig(Map)}), the one place that knows their keys
 * and conventions; every problem it reports starts with the setting's key ({@code "daily_max_tokens: must be a
 * whole number, got 'lots'"}), as the plan's builder speaks of Java methods, not of keys.
 *
 * <p>Admins write "unlimited" as 0, in every limit, budget and size, and the plan tables keep their data that
 * way. In the Java API 0 allows nothing, as a quota of 0 does in a {@link dev.limits.LimitPolicy}, and
 * unlimited is {@link Allowance#unlimited()} (no cost budget: an empty {@link Plan#costBudgetUsd()}).
 * Reading a whole number turns the first meaning into the second, and nothing else in the library reads 0
 * as unlimited. Stateless and thread-safe.
 */
public final class PlanConfig {

  private static final String MODEL_BUDGET = "model_token_budget.";
  private static final Map<String, PlanLimit> LIMITS_BY_KEY = limitsByKey();

  private PlanConfig() {}

  /**
   * Reads a plan from admin settings, as {@link Plan#fromConfig(Map)} documents them.
   *
   * @param config the admin settings, by key
   * @return the plan
   * @throws NullPointerException if {@code config} or one of its keys or values is null
   * @throws InvalidPlanException listing every unknown key and bad value, if there is any
   */
  public static Plan read(Map<String, String> config) {
    Objects.requireNonNull(config, "config");
    List<String> problems = new ArrayList<>();
    String name = config.get("name");
    Plan.Builder b;
    try {
      b = Plan.builder(name == null ? "" : name.trim());   // a missing name is reported like a blank one
    } catch (IllegalArgumentException e) {
      problems.add("name: " + e.getMessage());
      b = Plan.builder("invalid");
    }
    @Nullable Instant from = null;
    @Nullable Instant until = null;
    for (Map.Entry<String, String> e : new TreeMap<>(config).entrySet()) {
      String key = Objects.requireNonNull(e.getKey(), "key");
      String value = Objects.requireNonNull(e.getValue(), () -> "value of " + key).trim();
      try {
        PlanLimit limit = LIMITS_BY_KEY.get(key);
        if (limit != null) {
          b.limit(limit, allowance(value));
        } else if (key.startsWith(MODEL_BUDGET)) {
          Allowance budget = allowance(value);
          if (!budget.isUnlimited()) {   // a model without a budget of its own has none
            b.modelTokens(key.substring(MODEL_BUDGET.length()), budget.max());
          }
        } else {
          switch (key) {
            case "name":
              break;
            case "is_active":
              b.enabled(bool(value));
              break;
            case "max_tokens_free":
              b.maxTokensFree(allowance(value));
              break;
            case "max_openrouter_cost_usd": {
              BigDecimal usd = decimal(value);
              if (usd.signum() > 0) {   // 0 dollars: no cost budget, as 0 is unlimited everywhere here
                b.costBudget(usd);
              }
              break;
            }
            case "max_file_size":
              b.maxFileSize(allowance(value));
              break;
            case "allowed_models":
              b.allowModels(list(value));
              break;
            case "free_models":
              b.freeModels(list(value));
              break;
            case "allowed_extensions":
              b.allowExtensions(list(value));
              break;
            case "active_from":
              if (!value.isEmpty()) {
                from = instant(value);
                b.activeFrom(from);
              }
              break;
            case "active_until":
              if (!value.isEmpty()) {
                until = instant(value);
                b.activeUntil(until);
              }
              break;
            default:
              problems.add("unknown key '" + key + "'");
          }
        }
      } catch (IllegalArgumentException ex) {
        problems.add(key + ": " + ex.getMessage());   // the builder's messages speak of Java, not of keys
      }
    }
    if (from != null && until != null && !until.isAfter(from)) {
      problems.add("active_until " + until + " must be after active_from " + from);
    }
    if (!problems.isEmpty()) {
      throw new InvalidPlanException(name == null ? "(unnamed)" : name, problems);
    }
    return b.build();
  }

  /**
   * Reads an organisation plan from admin settings, as {@link OrganisationPlan#fromConfig(Map)} documents
   * them.
   *
   * @param config the admin settings, by key
   * @return the plan
   * @throws NullPointerException if {@code config} or one of its keys or values is null
   * @throws InvalidPlanException listing every unknown key and bad value, if there is any
   */
  public static OrganisationPlan readOrganisation(Map<String, String> config) {
    Objects.requireNonNull(config, "config");
    List<String> problems = new ArrayList<>();
    String name = config.get("name");
    OrganisationPlan.Builder b;
    try {
      b = OrganisationPlan.builder(name == null ? "" : name.trim());
    } catch (IllegalArgumentException e) {
      problems.add("name: " + e.getMessage());
      b = OrganisationPlan.builder("invalid");
    }
    for (Map.Entry<String, String> e : new TreeMap<>(config).entrySet()) {
      String key = Objects.requireNonNull(e.getKey(), "key");
      String value = Objects.requireNonNull(e.getValue(), () -> "value of " + key).trim();
      try {
        switch (key) {
          case "name":
            break;
          case "daily_max_tokens":
            b.tokensPerDay(allowance(value));
            break;
          case "monthly_max_tokens":
            b.tokensPerMonth(allowance(value));
            break;
          case "max_cost_usd": {
            BigDecimal usd = decimal(value);
            if (usd.signum() > 0) {
              b.costBudget(usd);
            }
            break;
          }
          default:
            problems.add("unknown key '" + key + "'");
        }
      } catch (IllegalArgumentException ex) {
        problems.add(key + ": " + ex.getMessage());
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidPlanException(name == null ? "(unnamed)" : name, problems);
    }
    return b.build();
  }

  /** A whole number of the settings: 0 is {@link Allowance#unlimited()}, anything above is that number. */
  private static Allowance allowance(String value) {
    long v;
    try {
      v = Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("must be a whole number, got '" + value + "'", e);
    }
    Require.argument(v >= 0, "must be 0 (unlimited) or more, got %s", value);
    return v == 0 ? Allowance.unlimited() : Allowance.of(v);
  }

  private static BigDecimal decimal(String value) {
    BigDecimal v;
    try {
      v = new BigDecimal(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("must be a decimal number, got '" + value + "'", e);
    }
    Require.argument(v.signum() >= 0, "must be 0 (unlimited) or more, got %s", value);
    return v;
  }

  private static boolean bool(String value) {
    switch (value.toLowerCase(Locale.ROOT)) {
      case "true": case "1": case "yes": return true;
      case "false": case "0": case "no": return false;
      default: throw new IllegalArgumentException("must be true or false, got '" + value + "'");
    }
  }

  private static Instant instant(String value) {
    try {
      return Instant.parse(value);
    } catch (DateTimeException e) {
      throw new IllegalArgumentException("must be an ISO-8601 instant such as 2026-01-01T00:00:00Z, got '"
          + value + "'", e);
    }
  }

  private static String[] list(String value) {
    return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toArray(String[]::new);
  }

  private static Map<String, PlanLimit> limitsByKey() {
    Map<String, PlanLimit> byKey = new TreeMap<>();
    for (PlanLimit l : PlanLimit.values()) {
      byKey.put(l.configKey(), l);
    }
    return Map.copyOf(byKey);
  }
}
