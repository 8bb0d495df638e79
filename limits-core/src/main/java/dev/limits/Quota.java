package dev.limits;

import dev.limits.internal.Checks;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A quota: at most {@code limit} of a {@link Metric} per period of a {@link Window}, optionally only for
 * the models of a {@link ModelGroup}.
 *
 * <p>The quota's {@linkplain #counterKey() counter key} is made of the metric, the window and the group,
 * not of the policy: a user who changes plan keeps the usage already counted, and two plans limiting
 * "tokens per day" share one counter. Immutable and thread-safe.
 *
 * <p>A limit of zero denies every request that carries the metric; it never means "unlimited". There is no
 * unlimited quota: a metric without one is not limited. (Plans of limits-plans name unlimited
 * {@code Allowance.unlimited()}; their admin settings write it as 0, and only {@code Plan.fromConfig} reads
 * that convention.)
 *
 * @param id     identifies the quota within its policy and in messages; by default the counter key
 * @param metric what is counted
 * @param window the window it is counted over
 * @param limit  the most allowed per period, zero or more (zero allows nothing)
 * @param scope  the models it applies to, or null for every request
 * @see LimitPolicy.Builder#quota(Metric, Window, long)
 */
public record Quota(String id, Metric metric, Window window, long limit, @Nullable ModelGroup scope) {

  /**
   * Creates a quota.
   *
   * @param id     identifies the quota within its policy and in messages; by default the counter key
   * @param metric what is counted
   * @param window the window it is counted over
   * @param limit  the most allowed per period, zero or more (zero allows nothing)
   * @param scope  the models it applies to, or null for every request
   * @throws NullPointerException     if {@code id}, {@code metric} or {@code window} is null
   * @throws IllegalArgumentException if the limit is negative or the id is empty or over 200 characters
   */
  public Quota {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(metric, "metric");
    Objects.requireNonNull(window, "window");
    Checks.requireArgument(!id.isEmpty() && id.length() <= 200, "quota id must have 1 to 200 characters, got '%s'",
        id);
    Checks.requireArgument(limit >= 0, "limit of quota '%s' must not be negative, got %s", id, limit);
  }

  /**
   * A quota on every request, identified by its counter key.
   *
   * @param metric what is counted
   * @param window the window it is counted over
   * @param limit  the most allowed per period, zero or more
   * @return the quota
   */
  public static Quota of(Metric metric, Window window, long limit) {
    return new Quota(counterKey(metric, window, null), metric, window, limit, null);
  }

  /**
   * A quota on requests for the models of {@code scope}, identified by its counter key.
   *
   * @param metric what is counted
   * @param window the window it is counted over
   * @param limit  the most allowed per period, zero or more
   * @param scope  the models it applies to
   * @return the quota
   */
  public static Quota of(Metric metric, Window window, long limit, @Nullable ModelGroup scope) {
    Objects.requireNonNull(scope, "scope");
    return new Quota(counterKey(metric, window, scope), metric, window, limit, scope);
  }

  /** {@return the key of this quota's counters in storage: {@code metric@window} or {@code metric@window#group}} */
  public String counterKey() {
    return counterKey(metric, window, scope);
  }

  /**
   * Whether this quota applies to a request for {@code model} (null: no model named).
   *
   * @param model the model requested, or null
   * @return whether the quota counts that request
   */
  public boolean appliesTo(@Nullable String model) {
    return scope == null || scope.contains(model);
  }

  static String counterKey(Metric metric, Window window, @Nullable ModelGroup scope) {
    String key = metric.name() + "@" + window.id();
    return scope == null ? key : key + "#" + scope.name();
  }
}
