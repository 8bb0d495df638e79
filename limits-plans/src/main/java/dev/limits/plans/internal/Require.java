package dev.limits.plans.internal;

import dev.limits.plans.PlanMetrics;
import java.math.BigDecimal;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** Argument and state checks that name the offending value; the plans module's copy of core's helper. */
public final class Require {

  private Require() {}

  /**
   * Throws an {@link IllegalArgumentException} with the formatted message unless {@code condition} holds.
   *
   * @param condition the condition on the argument
   * @param template  the message, a {@link String#format} template naming the bad value
   * @param args      the template's arguments
   * @throws IllegalArgumentException if {@code condition} is false
   */
  public static void argument(boolean condition, String template, @Nullable Object... args) {
    if (!condition) {
      throw new IllegalArgumentException(String.format(template, args));
    }
  }

  /**
   * Throws an {@link IllegalStateException} with the formatted message unless {@code condition} holds.
   *
   * @param condition the condition on the state
   * @param template  the message, a {@link String#format} template
   * @param args      the template's arguments
   * @throws IllegalStateException if {@code condition} is false
   */
  public static void state(boolean condition, String template, @Nullable Object... args) {
    if (!condition) {
      throw new IllegalStateException(String.format(template, args));
    }
  }

  /**
   * Checks the name of a plan or an organisation plan: 1 to {@code maxLength} characters, not blank, no
   * control characters.
   *
   * @param name      the name
   * @param what      what is named, for the message ("plan name")
   * @param maxLength the most characters
   * @return {@code name}
   * @throws NullPointerException     if {@code name} is null
   * @throws IllegalArgumentException if it is blank, too long or has a control character
   */
  public static String name(String name, String what, int maxLength) {
    Objects.requireNonNull(name, "name");
    argument(!name.isBlank() && name.length() <= maxLength && name.chars().noneMatch(Character::isISOControl),
        "%s must have 1 to %s characters, got '%s'", what, maxLength, name);
    return name;
  }

  /**
   * Converts a budget of provider cost in dollars to the micro-dollars {@link PlanMetrics#COST} counts.
   *
   * @param usd the budget in dollars
   * @return the budget in micro-dollars
   * @throws NullPointerException     if {@code usd} is null
   * @throws IllegalArgumentException if it is negative or has more than six decimals
   */
  public static long costBudgetMicros(BigDecimal usd) {
    Objects.requireNonNull(usd, "usd");
    try {
      return PlanMetrics.COST.amountOf(usd);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("cost budget must be 0 or more USD with at most 6 decimals, got "
          + usd.toPlainString(), e);
    }
  }
}
