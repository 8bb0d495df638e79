package dev.limits.spring.internal;

import dev.limits.UsageCounters;
import dev.limits.InvalidPolicyException;
import dev.limits.LimitPolicy;
import dev.limits.Limiter;
import dev.limits.MessageCatalog;
import dev.limits.Metric;
import dev.limits.Quota;
import dev.limits.Window;
import dev.limits.spi.UsageCounter;
import dev.limits.spring.InvalidLimitsPropertiesException;
import dev.limits.spring.LimitPolicies;
import dev.limits.spring.LimitsProperties;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Currency;
import java.util.IllformedLocaleException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.jspecify.annotations.Nullable;

/**
 * Reads the {@code limits.*} properties into policies and a message catalog, collecting every bad value, each
 * named by its key, before failing.
 */
public final class PropertiesCompiler {

  private static final String PREFIX = "limits.";

  private PropertiesCompiler() {}

  /**
   * Checks the limiter's own settings (threshold, time-to-live, purge interval) by handing each to a limiter
   * builder, which owns their rules.
   *
   * @param properties the properties
   * @param problems   where a problem is added, prefixed with its key
   */
  static void checkLimiterSettings(LimitsProperties properties, List<String> problems) {
    Limiter.Builder probe = Limiter.builder(UsageCounters.inMemory());
    check(problems, "warning-threshold", () -> probe.warningThreshold(properties.warningThreshold()));
    check(problems, "reservation-ttl", () -> probe.reservationTtl(properties.reservationTtl()));
    ScheduledExecutorService unused = Executors.newSingleThreadScheduledExecutor(); // starts no thread
    try {
      check(problems, "purge-interval", () -> probe.purgeEvery(properties.purgeInterval(), unused));
    } finally {
      unused.shutdownNow();
    }
  }

  private static void check(List<String> problems, String key, Runnable setting) {
    try {
      setting.run();
    } catch (IllegalArgumentException e) {
      problems.add(PREFIX + key + ": " + e.getMessage());
    }
  }

  /**
   * Compiles the policies and the message catalog, and checks the limiter's settings.
   *
   * @param properties the properties
   * @return the policies and the catalog
   * @throws InvalidLimitsPropertiesException naming every bad key
   */
  public static Compiled compile(LimitsProperties properties) {
    List<String> problems = new ArrayList<>();
    Map<String, LimitPolicy> policies = new LinkedHashMap<>();
    properties.policies().forEach((name, policy) -> {
      LimitPolicy compiled = policy(name, policy, problems);
      if (compiled != null) {
        policies.put(name, compiled);
      }
    });
    MessageCatalog messages = messages(properties, problems);
    checkLimiterSettings(properties, problems);
    if (!problems.isEmpty()) {
      throw new InvalidLimitsPropertiesException(problems);
    }
    return new Compiled(LimitPolicies.of(policies), messages);
  }

  /**
   * The result of {@link #compile}.
   *
   * @param policies the policies by name
   * @param messages the shipped templates with the configured ones on top
   */
  public record Compiled(LimitPolicies policies, MessageCatalog messages) {}

  private static @Nullable LimitPolicy policy(String name, LimitsProperties.Policy policy, List<String> problems) {
    String key = PREFIX + "policies." + name;
    int before = problems.size();
    LimitPolicy.Builder builder = LimitPolicy.builder(name);
    try {
      builder.zone(ZoneId.of(policy.zone()));
    } catch (DateTimeException e) {
      problems.add(key + ".zone: invalid zone id '" + policy.zone() + "'");
    }
    DayOfWeek weekStart = DayOfWeek.MONDAY;
    try {
      weekStart = DayOfWeek.valueOf(policy.weekStart().trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      problems.add(key + ".week-start: '" + policy.weekStart() + "' is not a day of the week");
    }
    policy.units().forEach((metric, unit) -> {
      if (!policy.quotas().containsKey(metric)) {
        problems.add(key + ".units." + metric + ": no quota counts the metric '" + metric + "'");
      }
    });
    for (Map.Entry<String, Map<String, String>> byMetric : policy.quotas().entrySet()) {
      String metricName = byMetric.getKey();
      Metric metric = metric(metricName, policy.units().getOrDefault(metricName, "count"), key, problems);
      for (Map.Entry<String, String> byWindow : byMetric.getValue().entrySet()) {
        String quotaKey = key + ".quotas." + metricName + "." + byWindow.getKey();
        Window window = window(byWindow.getKey(), weekStart, quotaKey, problems);
        Long limit = limit(byWindow.getValue(), quotaKey, problems);
        if (metric != null && window != null && limit != null) {
          builder.quota(new Quota(metricName + "-" + window.id(), metric, window, limit, null));
        }
      }
    }
    if (!policy.models().isEmpty()) {
      rule(problems, key + ".models", () -> builder.allowModels(java.util.Set.copyOf(policy.models())));
    }
    if (policy.maxFileSize() != null) {
      long bytes = policy.maxFileSize().toBytes();
      rule(problems, key + ".max-file-size", () -> builder.maxFileSize(bytes));
    }
    if (!policy.extensions().isEmpty()) {
      rule(problems, key + ".extensions", () -> builder.allowExtensions(policy.extensions().toArray(String[]::new)));
    }
    if (problems.size() > before) {
      return null;
    }
    try {
      return builder.build();
    } catch (InvalidPolicyException e) {
      e.problems().forEach(p -> problems.add(key + ": " + p));
      return null;
    }
  }

  private static void rule(List<String> problems, String key, Runnable rule) {
    try {
      rule.run();
    } catch (IllegalArgumentException e) {
      problems.add(key + ": " + e.getMessage());
    }
  }

  private static @Nullable Metric metric(String name, String unit, String policyKey, List<String> problems) {
    try {
      String[] parts = unit.trim().toLowerCase(Locale.ROOT).split(":", -1);
      switch (parts[0]) {
        case "count":
          return parts.length == 1 ? Metric.count(name) : badUnit(name, unit, policyKey, problems);
        case "tokens":
          return parts.length == 1 ? Metric.tokens(name) : badUnit(name, unit, policyKey, problems);
        case "bytes":
          return parts.length == 1 ? Metric.bytes(name) : badUnit(name, unit, policyKey, problems);
        case "money":
          if (parts.length != 3) {
            return badUnit(name, unit, policyKey, problems);
          }
          return Metric.money(name, Currency.getInstance(parts[1].toUpperCase(Locale.ROOT)),
              Integer.parseInt(parts[2]));
        default:
          return badUnit(name, unit, policyKey, problems);
      }
    } catch (IllegalArgumentException e) { // a bad name, currency or scale
      problems.add(policyKey + ".quotas." + name + ": " + e.getMessage());
      return null;
    }
  }

  private static @Nullable Metric badUnit(String name, String unit, String policyKey, List<String> problems) {
    problems.add(policyKey + ".units." + name + ": unknown unit '" + unit
        + "'; expected count, tokens, bytes or money:<currency>:<decimal places> such as money:USD:6");
    return null;
  }

  private static @Nullable Window window(String id, DayOfWeek weekStart, String key, List<String> problems) {
    if (id.equals("week")) {
      return Window.week(weekStart);
    }
    try {
      return Window.parse(id);
    } catch (IllegalArgumentException e) {
      if (id.startsWith("rolling-")) { // a key written without brackets loses its capitals
        try {
          return Window.parse("rolling-" + id.substring(8).toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException ignored) {
          // report the id as written
        }
      }
      problems.add(key + ": " + e.getMessage());
      return null;
    }
  }

  private static @Nullable Long limit(String value, String key, List<String> problems) {
    try {
      long limit = Long.parseLong(value.trim().replace("_", ""));
      if (limit < 0) {
        problems.add(key + ": a limit must be zero or more, got " + limit);
        return null;
      }
      return limit;
    } catch (NumberFormatException e) {
      problems.add(key + ": '" + value + "' is not a whole number");
      return null;
    }
  }

  private static MessageCatalog messages(LimitsProperties properties, List<String> problems) {
    MessageCatalog.Builder builder = MessageCatalog.builder().persianDigits(properties.persianDigits());
    properties.messages().forEach((tag, templates) -> {
      Locale locale;
      try {
        locale = new Locale.Builder().setLanguageTag(tag).build();
      } catch (IllformedLocaleException e) {
        problems.add(PREFIX + "messages." + tag + ": '" + tag + "' is not a language tag such as en or fa");
        return;
      }
      templates.forEach((templateKey, template) -> rule(problems, PREFIX + "messages." + tag + "." + templateKey,
          () -> builder.template(locale, templateKey, template)));
    });
    return builder.build();
  }
}
