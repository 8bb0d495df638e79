package dev.limits;

import dev.limits.internal.Checks;
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

  private static final Amounts NONE = new Amounts(Map.of());

  private final Map<Metric, Long> amounts;
  // The same amounts as arrays, in the map's order: the limiter reads them on every call without hashing
  // metrics or iterating the map.
  private final Metric[] metrics;
  private final long[] values;

  private Amounts(Map<Metric, Long> amounts) {
    this.amounts = amounts;
    this.metrics = new Metric[amounts.size()];
    this.values = new long[amounts.size()];
    int i = 0;
    for (Map.Entry<Metric, Long> e : amounts.entrySet()) {
      metrics[i] = e.getKey();
      values[i++] = e.getValue();
    }
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
   * Returns these amounts with {@code amount} of {@code metric} set.
   *
   * @param metric what is counted
   * @param amount how much of it, zero or more
   * @return new amounts; these are unchanged
   * @throws NullPointerException     if {@code metric} is null
   * @throws IllegalArgumentException if {@code amount} is negative
   */
  public Amounts and(Metric metric, long amount) {
    Objects.requireNonNull(metric, "metric");
    Checks.requireArgument(amount >= 0, "amount of '%s' must not be negative, got %s", metric.name(), amount);
    Map<Metric, Long> copy = new LinkedHashMap<>(amounts);
    copy.put(metric, amount);
    return new Amounts(Collections.unmodifiableMap(copy));
  }

  /**
   * The amount of {@code metric}, if set.
   *
   * @param metric the metric to look up
   * @return its amount, or empty if these amounts do not name it
   */
  public OptionalLong get(Metric metric) {
    Long amount = amounts.get(metric);
    return amount == null ? OptionalLong.empty() : OptionalLong.of(amount);
  }

  /** {@return every amount, in the order set} */
  public Map<Metric, Long> asMap() {
    return amounts;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Amounts && ((Amounts) o).amounts.equals(amounts);
  }

  @Override
  public int hashCode() {
    return amounts.hashCode();
  }

  @Override
  public String toString() {
    return "Amounts" + amounts;
  }
}
