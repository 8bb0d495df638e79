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

  private Amounts(Map<Metric, Long> amounts) {
    this.amounts = amounts;
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
