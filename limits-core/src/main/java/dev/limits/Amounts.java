package dev.limits;

import dev.limits.internal.Checks;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * Amounts per metric: what a request estimates or what a call actually used. Immutable and thread-safe.
 *
 * <pre>{@code Amounts.of(TOKENS, 1480).and(COST, COST.amountOf(new BigDecimal("0.0031")))}</pre>
 *
 * @see Reservation#commit(Amounts)
 */
public final class Amounts {

  private static final Amounts NONE = new Amounts(new Metric[0], new long[0]);

  // Parallel arrays in the order set, distinct metrics: a request is built on every call, and the limiter
  // reads them without hashing metrics; the map view is made only when asked for.
  private final Metric[] metrics;
  private final long[] values;

  private Amounts(Metric[] metrics, long[] values) {
    this.metrics = metrics;
    this.values = values;
  }

  /** The number of metrics with an amount. */
  int size() {
    return metrics.length;
  }

  /** The metric of entry {@code i}, in insertion order. */
  Metric metric(int i) {
    return metrics[i];
  }

  /** The amount of entry {@code i}. */
  long value(int i) {
    return values[i];
  }

  /** The entry of {@code metric}, or -1 if it has no amount; a metric is usually the very same constant. */
  int indexOf(Metric metric) {
    for (int i = 0; i < metrics.length; i++) {
      if (metrics[i] == metric) {
        return i;
      }
    }
    for (int i = 0; i < metrics.length; i++) {
      if (metrics[i].equals(metric)) {
        return i;
      }
    }
    return -1;
  }

  /**
   * No amounts.
   *
   * @return the empty amounts
   */
  public static Amounts none() {
    return NONE;
  }

  /**
   * One amount.
   *
   * @param metric what is counted
   * @param amount how much of it, zero or more
   * @return amounts holding only that one
   * @throws NullPointerException     if {@code metric} is null
   * @throws IllegalArgumentException if {@code amount} is negative
   */
  public static Amounts of(Metric metric, long amount) {
    return NONE.and(metric, amount);
  }

  /**
   * Returns these amounts and {@code amount} of {@code metric}, which they must not have yet. Each metric has
   * one amount: a second one is a mistake (two parts of a host describing one call), not a correction, and
   * is refused rather than silently replacing the first.
   *
   * @param metric what is counted
   * @param amount how much of it, zero or more
   * @return new amounts; these are unchanged
   * @throws NullPointerException     if {@code metric} is null
   * @throws IllegalArgumentException if {@code amount} is negative, or these amounts already have an amount
   *                                  of a metric of that name
   */
  public Amounts and(Metric metric, long amount) {
    Objects.requireNonNull(metric, "metric");
    Checks.requireArgument(amount >= 0, "amount of '%s' must not be negative, got %s", metric.name(), amount);
    for (int i = 0; i < metrics.length; i++) {
      if (metrics[i].name().equals(metric.name())) {
        throw new IllegalArgumentException("metric '" + metric.name() + "' already has an amount (" + values[i]
            + "), got a second one (" + amount + "); give each metric one amount");
      }
    }
    Metric[] m = Arrays.copyOf(metrics, metrics.length + 1);
    long[] v = Arrays.copyOf(values, values.length + 1);
    m[metrics.length] = metric;
    v[values.length] = amount;
    return new Amounts(m, v);
  }

  /**
   * The amount of {@code metric}, if set.
   *
   * @param metric the metric to look up
   * @return its amount, or empty if these amounts do not name it
   */
  public OptionalLong get(Metric metric) {
    Objects.requireNonNull(metric, "metric");
    int i = indexOf(metric);
    return i < 0 ? OptionalLong.empty() : OptionalLong.of(values[i]);
  }

  /** {@return every amount, in the order set, as an unmodifiable map} */
  public Map<Metric, Long> asMap() {
    Map<Metric, Long> map = new LinkedHashMap<>(2 * metrics.length);
    for (int i = 0; i < metrics.length; i++) {
      map.put(metrics[i], values[i]);
    }
    return Collections.unmodifiableMap(map);
  }

  /** Equal when both hold the same amounts of the same metrics, in any order (as maps are equal). */
  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Amounts) || ((Amounts) o).metrics.length != metrics.length) {
      return false;
    }
    Amounts other = (Amounts) o;
    for (int i = 0; i < metrics.length; i++) {
      int j = other.indexOf(metrics[i]);
      if (j < 0 || other.values[j] != values[i]) {
        return false;
      }
    }
    return true;
  }

  /** The hash code of {@link #asMap()}. */
  @Override
  public int hashCode() {
    int h = 0;
    for (int i = 0; i < metrics.length; i++) {
      h += metrics[i].hashCode() ^ Long.hashCode(values[i]);
    }
    return h;
  }

  @Override
  public String toString() {
    return "Amounts" + asMap();
  }
}
