package dev.limits.plans;

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
 * Reads a {@link Plan} from admin settings ({@link Plan#fromConfig(Map)}), the one place that knows their
 * conventions.
 *
 * <p>Admins write "unlimited" as 0, in every limit, budget and size, and the plan tables keep their data that
 * way. In the Java API 0 allows nothing, as a quota of 0 does in a {@link dev.limits.LimitPolicy}, and
 * unlimited is {@link Allowance#unlimited()}. {@link #allowance} turns the first meaning into the second, and
 * nothing else in the library reads 0 as unlimited.
 */
final class PlanConfig {

  private static final String MODEL_BUDGET = "model_token_budget.";

  private PlanConfig() {}

  static Plan read(Map<String, String> config) {
    Objects.requireNonNull(config, "config");
    List<String> problems = new ArrayList<>();
    String name = config.get("name");
    Plan.Builder b;
    try {
      b = Plan.builder(name == null ? "" : name.trim());
    } catch (IllegalArgumentException e) {
      problems.add(e.getMessage());
      b = Plan.builder("invalid");
    }
    Map<String, PlanLimit> byKey = new TreeMap<>();
    for (PlanLimit l : PlanLimit.values()) {
      byKey.put(l.configKey(), l);
    }
    @Nullable Instant from = null;
    @Nullable Instant until = null;
    for (Map.Entry<String, String> e : new TreeMap<>(config).entrySet()) {
      String key = Objects.requireNonNull(e.getKey(), "key");
      String value = Objects.requireNonNull(e.getValue(), () -> "value of " + key).trim();
      try {
        PlanLimit limit = byKey.get(key);
        if (limit != null) {
          b.limit(limit, allowance(key, value));
        } else if (key.startsWith(MODEL_BUDGET)) {
          Allowance budget = allowance(key, value);
          if (!budget.isUnlimited()) {
            b.modelTokens(key.substring(MODEL_BUDGET.length()), budget.max());
          }
        } else {
          switch (key) {
            case "name":
              break;
            case "is_active":
              b.enabled(bool(key, value));
              break;
            case "max_tokens_free": {
              Allowance cap = allowance(key, value);
              if (!cap.isUnlimited()) {
                b.maxTokensFree(cap.max());
              }
              break;
            }
            case "max_openrouter_cost_usd": {
              BigDecimal v = decimal(key, value);
              if (v.signum() > 0) {   // 0 dollars: no cost budget, as 0 is unlimited everywhere here
                b.costBudget(v);
              }
              break;
            }
            case "max_file_size": {
              Allowance size = allowance(key, value);
              if (!size.isUnlimited()) {
                b.maxFileSize(size.max());
              }
              break;
            }
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
                from = instant(key, value);
                b.activeFrom(from);
              }
              break;
            case "active_until":
              if (!value.isEmpty()) {
                until = instant(key, value);
                b.activeUntil(until);
              }
              break;
            default:
              problems.add("unknown key '" + key + "'");
          }
        }
      } catch (IllegalArgumentException ex) {
        problems.add(ex.getMessage());
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

  /** A whole number of the settings: 0 is {@link Allowance#unlimited()}, anything above is that number. */
  static Allowance allowance(String key, String value) {
    long v;
    try {
      v = Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a whole number, got '" + value + "'");
    }
    Require.argument(v >= 0, "%s must be 0 (unlimited) or more, got %s", key, value);
    return v == 0 ? Allowance.unlimited() : Allowance.of(v);
  }

  private static BigDecimal decimal(String key, String value) {
    try {
      BigDecimal v = new BigDecimal(value);
      Require.argument(v.signum() >= 0, "%s must be 0 (unlimited) or more, got %s", key, value);
      return v;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a decimal number, got '" + value + "'");
    }
  }

  private static boolean bool(String key, String value) {
    switch (value.toLowerCase(Locale.ROOT)) {
      case "true": case "1": case "yes": return true;
      case "false": case "0": case "no": return false;
      default: throw new IllegalArgumentException(key + " must be true or false, got '" + value + "'");
    }
  }

  private static Instant instant(String key, String value) {
    try {
      return Instant.parse(value);
    } catch (DateTimeException e) {
      throw new IllegalArgumentException(key + " must be an ISO-8601 instant such as 2026-01-01T00:00:00Z, got '"
          + value + "'");
    }
  }

  private static String[] list(String value) {
    return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toArray(String[]::new);
  }
}
