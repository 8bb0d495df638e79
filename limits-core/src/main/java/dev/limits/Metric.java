package dev.limits;

import dev.limits.internal.Checks;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Currency;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Something that is counted, with its unit: a count (messages, images), tokens, bytes, or money in exact
 * minor units.
 *
 * <p>Amounts are whole {@code long}s. Money is kept as an integer number of units of
 * {@code 10^-scale} of its currency, so that $0.0031 at scale 6 is exactly 3100 and sums never drift:
 * convert with {@link #amountOf(BigDecimal)} and back with {@link #toDecimal(long)}.
 *
 * <p>Two metrics are the same counter when their names are equal; a policy rejects two metrics with one
 * name and different units. Immutable and thread-safe.
 *
 * @param name     the counter name: 1 to 64 characters of {@code a-z 0-9 _ - .}, starting with a letter
 * @param kind     the unit
 * @param currency the currency, for money only; null otherwise
 * @param scale    the decimal places of a money amount (0 to 12); 0 for other kinds
 * @see Quota
 */
public record Metric(String name, Kind kind, @Nullable Currency currency, int scale) {

  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_.-]{0,63}");

  /** The unit of a metric. */
  public enum Kind {
    /** Whole things: messages, image generations, file uploads, code redemptions. */
    COUNT,
    /** Model tokens. */
    TOKENS,
    /** Bytes. */
    BYTES,
    /** Money, in units of {@code 10^-scale} of a currency. */
    MONEY
  }

  /**
   * Creates a metric.
   *
   * @param name     the counter name: 1 to 64 characters of {@code a-z 0-9 _ - .}, starting with a letter
   * @param kind     the unit
   * @param currency the currency, for money only; null otherwise
   * @param scale    the decimal places of a money amount (0 to 12); 0 for other kinds
   * @throws NullPointerException     if {@code name} or {@code kind} is null, or a money metric has no
   *                                  currency
   * @throws IllegalArgumentException if the name is malformed, or the scale or currency do not suit the kind
   */
  public Metric {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(kind, "kind");
    Checks.requireArgument(NAME.matcher(name).matches(),
        "metric name must be 1 to 64 characters of a-z 0-9 _ - . starting with a letter, got '%s'", name);
    if (kind == Kind.MONEY) {
      Objects.requireNonNull(currency, "currency");
      Checks.requireArgument(scale >= 0 && scale <= 12, "money scale must be 0 to 12, got %s", scale);
    } else {
      Checks.requireArgument(currency == null, "only money metrics have a currency, got %s for '%s'",
          currency, name);
      Checks.requireArgument(scale == 0, "only money metrics have a scale, got %s for '%s'", scale, name);
    }
  }

  /**
   * A metric counting whole things.
   *
   * @param name the metric's name
   * @return the metric
   */
  public static Metric count(String name) {
    return new Metric(name, Kind.COUNT, null, 0);
  }

  /**
   * A metric counting model tokens.
   *
   * @param name the metric's name
   * @return the metric
   */
  public static Metric tokens(String name) {
    return new Metric(name, Kind.TOKENS, null, 0);
  }

  /**
   * A metric counting bytes.
   *
   * @param name the metric's name
   * @return the metric
   */
  public static Metric bytes(String name) {
    return new Metric(name, Kind.BYTES, null, 0);
  }

  /**
   * A money metric kept in units of {@code 10^-scale} of {@code currency}: scale 6 counts micro-dollars.
   *
   * @param name     the metric's name
   * @param currency the currency
   * @param scale    the number of decimal places kept, 0 to 12
   * @return the metric
   */
  public static Metric money(String name, Currency currency, int scale) {
    return new Metric(name, Kind.MONEY, currency, scale);
  }

  /**
   * Converts a decimal quantity to this metric's whole units, exactly.
   *
   * @param value the quantity (money: in the currency's units)
   * @return the whole units
   * @throws NullPointerException     if {@code value} is null
   * @throws IllegalArgumentException if the value is negative, has more decimals than the scale allows, or
   *                                  does not fit in a {@code long}
   */
  public long amountOf(BigDecimal value) {
    Objects.requireNonNull(value, "value");
    Checks.requireArgument(value.signum() >= 0, "amount of '%s' must not be negative, got %s", name, value);
    try {
      return value.movePointRight(scale).setScale(0, RoundingMode.UNNECESSARY).longValueExact();
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException(
          "amount " + value.toPlainString() + " does not fit metric '" + name + "' (scale " + scale + ")", e);
    }
  }

  /**
   * Converts whole units of this metric back to a decimal quantity (money: in the currency's units).
   *
   * @param amount whole units of this metric
   * @return the decimal quantity
   */
  public BigDecimal toDecimal(long amount) {
    return BigDecimal.valueOf(amount, scale);
  }

  /**
   * Formats an amount for people: money as a decimal with its currency code, others as a number.
   *
   * @param amount whole units of this metric
   * @return the formatted amount
   */
  public String format(long amount) {
    if (kind == Kind.MONEY) {
      return toDecimal(amount).stripTrailingZeros().toPlainString() + " " + Objects.requireNonNull(currency).getCurrencyCode();
    }
    return Long.toString(amount);
  }
}
