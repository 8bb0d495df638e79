package dev.limits;

import dev.limits.internal.PeriodCache;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What a plan allows: access rules and quotas, in a zone.
 *
 * <p><b>Evaluation order.</b> Access rules are checked first, in this fixed order: subscription validity,
 * model access, file size, file extension. A broken rule is a {@link Decision.Outcome#FORBIDDEN} denial
 * and no counter is touched. Quotas come next, in the order they were added to the builder; add them in the
 * order you want denials reported (an AI-chat backend's usual order: images, messages, tokens, cost, files).
 * Among the quotas that do not fit, the first one added is the reported denial.
 *
 * <p>A policy knows its metrics: those of its quotas and those declared with {@link Builder#track}. A
 * request naming any other metric is rejected, so a typo cannot slip past every limit.
 *
 * <p>Immutable and thread-safe. Build one with {@link #builder(String)}.
 *
 * @see Limiter
 * @see Quota
 * @see AccessRule
 */
public final class LimitPolicy {

  private final String name;
  private final ZoneId zone;
  private final List<AccessRule> rules;
  private final List<Quota> quotas;
  private final Map<String, Metric> metrics;
  private final Metric[] metricArray; // the same metrics, for an identity scan before the map look-up
  private final PeriodCache periods;
  private final @Nullable Metric plainMetric;

  private LimitPolicy(Builder b) {
    this.name = b.name;
    this.zone = b.zone;
    this.rules = List.copyOf(b.sortedRules());
    this.quotas = List.copyOf(b.quotas);
    this.metrics = Map.copyOf(b.metrics);
    this.metricArray = b.metrics.values().toArray(new Metric[0]);
    this.periods = new PeriodCache(quotas);
    this.plainMetric = rules.isEmpty() ? periods.sharedMetric() : null;
  }

  /**
   * Starts a policy named {@code name}.
   *
   * @param name the policy's name, as decisions and logs show it
   * @return a builder; {@link Builder#build()} reports every configuration problem at once
   * @throws NullPointerException if {@code name} is null
   */
  public static Builder builder(String name) {
    return new Builder(Objects.requireNonNull(name, "name"));
  }

  /** {@return the policy's name, for logs and messages} */
  public String name() {
    return name;
  }

  /** {@return the zone of its calendar windows, unless a request overrides it} */
  public ZoneId zone() {
    return zone;
  }

  /** {@return the access rules, in evaluation order} */
  public List<AccessRule> rules() {
    return rules;
  }

  /** {@return the quotas, in evaluation order} */
  public List<Quota> quotas() {
    return quotas;
  }

  /** {@return every metric this policy knows, by name} */
  public Map<String, Metric> metrics() {
    return metrics;
  }

  /**
   * Returns the quota with {@code id}, if any.
   *
   * @param id the quota's id
   * @return the quota, or empty if this policy has none with that id
   */
  public Optional<Quota> quota(String id) {
    return quotas.stream().filter(q -> q.id().equals(id)).findFirst();
  }

  /** Whether {@code metric} is the very same object as one of this policy's metrics: the common, fast case. */
  boolean knowsInstance(Metric metric) {
    for (Metric m : metricArray) {
      if (m == metric) {
        return true;
      }
    }
    return false;
  }

  /**
   * The metric of every quota when there are no access rules and every quota counts that one metric for
   * every model ({@link PeriodCache#sharedMetric()}): a request's amount of it is charged by every quota.
   */
  @Nullable Metric plainMetric() {
    return plainMetric;
  }

  /** Cached window periods, so calendar arithmetic runs once per boundary, not once per call. */
  PeriodCache periods() {
    return periods;
  }

  @Override
  public String toString() {
    return "LimitPolicy[" + name + ", zone=" + zone + ", rules=" + rules + ", quotas=" + quotas + "]";
  }

  /**
   * Builds a {@link LimitPolicy}. Null arguments fail at once; every other mistake is collected and
   * reported by {@link #build()} in one {@link InvalidPolicyException}. Not thread-safe.
   */
  public static final class Builder {
    private final String name;
    private ZoneId zone = ZoneOffset.UTC;
    private final List<AccessRule> rules = new ArrayList<>();
    private final List<Quota> quotas = new ArrayList<>();
    private final Map<String, Metric> metrics = new LinkedHashMap<>();
    private final List<String> problems = new ArrayList<>();

    private Builder(String name) {
      this.name = name;
      if (name.isBlank() || name.length() > 100) {
        problems.add("policy name must have 1 to 100 characters, got '" + name + "'");
      }
    }

    /**
     * Sets the zone of calendar windows (default UTC).
     *
     * @param zone the zone whose local clock sets hour, day, week, month and year boundaries
     * @return this builder
     */
    public Builder zone(ZoneId zone) {
      this.zone = Objects.requireNonNull(zone, "zone");
      return this;
    }

    /**
     * Sets the zone by id, as configuration holds it; an invalid id is reported by {@link #build()}.
     *
     * @param zoneId a zone id such as {@code "Asia/Tehran"}
     * @return this builder
     */
    public Builder zone(String zoneId) {
      Objects.requireNonNull(zoneId, "zoneId");
      try {
        this.zone = ZoneId.of(zoneId);
      } catch (DateTimeException e) {
        problems.add("invalid zone id '" + zoneId + "'");
      }
      return this;
    }

    /**
     * Adds a quota of {@code limit} per {@code window} on every request carrying {@code metric}. A limit of
     * zero denies every such request; to leave a metric unlimited, add no quota for it (see {@link Quota}).
     *
     * @param metric what is counted
     * @param window the window it is counted over
     * @param limit  the most allowed per period, zero or more; zero allows nothing
     * @return this builder
     */
    public Builder quota(Metric metric, Window window, long limit) {
      Objects.requireNonNull(metric, "metric");
      Objects.requireNonNull(window, "window");
      if (limit < 0) {
        problems.add("limit of " + Quota.counterKey(metric, window, null) + " must not be negative, got " + limit);
        return this;
      }
      return quota(Quota.of(metric, window, limit));
    }

    /**
     * Adds a quota of {@code limit} per {@code window} on requests for the models of {@code scope}.
     *
     * @param metric what is counted
     * @param window the window it is counted over
     * @param limit  the most allowed per period, zero or more
     * @param scope  the models the quota applies to
     * @return this builder
     */
    public Builder quota(Metric metric, Window window, long limit, ModelGroup scope) {
      Objects.requireNonNull(metric, "metric");
      Objects.requireNonNull(window, "window");
      Objects.requireNonNull(scope, "scope");
      if (limit < 0) {
        problems.add("limit of " + Quota.counterKey(metric, window, scope) + " must not be negative, got " + limit);
        return this;
      }
      return quota(Quota.of(metric, window, limit, scope));
    }

    /**
     * Adds a quota.
     *
     * @param quota the quota
     * @return this builder
     */
    public Builder quota(Quota quota) {
      Objects.requireNonNull(quota, "quota");
      track(quota.metric());
      for (Quota q : quotas) {
        if (q.id().equals(quota.id())) {
          problems.add("duplicate quota id '" + quota.id() + "'");
        } else if (q.counterKey().equals(quota.counterKey())) {
          problems.add("quotas '" + q.id() + "' and '" + quota.id() + "' count the same counter "
              + quota.counterKey());
        }
      }
      quotas.add(quota);
      return this;
    }

    /**
     * Declares a metric that requests may carry without a quota on it (counted nowhere, checked never).
     *
     * @param metric the metric
     * @return this builder
     */
    public Builder track(Metric metric) {
      Objects.requireNonNull(metric, "metric");
      Metric known = metrics.putIfAbsent(metric.name(), metric);
      if (known != null && !known.equals(metric)) {
        problems.add("metric '" + metric.name() + "' is declared twice with different units: " + known + " and "
            + metric);
      }
      return this;
    }

    /**
     * Allows only these models.
     *
     * @param models the model ids allowed
     * @return this builder
     */
    public Builder allowModels(String... models) {
      return rule(new AccessRule.AllowedModels(Set.of(models)));
    }

    /**
     * Allows only these models.
     *
     * @param models the model ids allowed
     * @return this builder
     */
    public Builder allowModels(Set<String> models) {
      return rule(new AccessRule.AllowedModels(models));
    }

    /**
     * Allows files of at most {@code maxBytes}.
     *
     * @param maxBytes the largest file size allowed, in bytes
     * @return this builder
     */
    public Builder maxFileSize(long maxBytes) {
      if (maxBytes < 0) {
        problems.add("maximum file size must not be negative, got " + maxBytes);
        return this;
      }
      return rule(new AccessRule.MaxFileSize(maxBytes));
    }

    /**
     * Allows only files with these extensions.
     *
     * @param extensions the extensions allowed, with or without a leading dot
     * @return this builder
     */
    public Builder allowExtensions(String... extensions) {
      return rule(new AccessRule.AllowedExtensions(Set.of(extensions)));
    }

    /**
     * Makes the policy valid only from {@code from} until {@code until}.
     *
     * @param from  the first valid instant
     * @param until the first instant no longer valid
     * @return this builder
     */
    public Builder validity(Instant from, Instant until) {
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(until, "until");
      if (!until.isAfter(from)) {
        problems.add("validity must end after it starts, got " + from + " to " + until);
        return this;
      }
      return rule(new AccessRule.Validity(from, until));
    }

    /**
     * Adds an access rule; a second rule of the same kind is a configuration error.
     *
     * @param rule the rule
     * @return this builder
     */
    public Builder rule(AccessRule rule) {
      Objects.requireNonNull(rule, "rule");
      for (AccessRule r : rules) {
        if (r.getClass() == rule.getClass()) {
          problems.add("access rule '" + rule.id() + "' is given twice");
        }
      }
      rules.add(rule);
      return this;
    }

    private List<AccessRule> sortedRules() {
      List<AccessRule> sorted = new ArrayList<>(rules);
      sorted.sort((a, b) -> Integer.compare(order(a), order(b)));
      return sorted;
    }

    private static int order(AccessRule rule) {
      if (rule instanceof AccessRule.Validity) {
        return 0;
      } else if (rule instanceof AccessRule.AllowedModels) {
        return 1;
      } else if (rule instanceof AccessRule.MaxFileSize) {
        return 2;
      }
      return 3;
    }

    /**
     * Builds the policy.
     *
     * @return the immutable policy
     * @throws InvalidPolicyException listing every problem found, if there is any
     */
    public LimitPolicy build() {
      List<String> all = new ArrayList<>(problems);
      Map<String, Set<String>> scopes = new HashMap<>();
      for (Quota q : quotas) {
        ModelGroup scope = q.scope();
        if (scope != null) {
          Set<String> seen = scopes.computeIfAbsent(scope.name(), k -> new HashSet<>(scope.models()));
          if (!seen.equals(scope.models())) {
            all.add("model group '" + scope.name() + "' is defined with different models");
          }
        }
      }
      if (!all.isEmpty()) {
        throw new InvalidPolicyException(name, all);
      }
      return new LimitPolicy(this);
    }
  }
}
