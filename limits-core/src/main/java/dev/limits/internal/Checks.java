package dev.limits.internal;

import dev.limits.spi.Identifiers;
import dev.limits.spi.WindowCell;
import org.jspecify.annotations.Nullable;

/** Argument and state checks that name the offending value. Not part of the API. */
public final class Checks {

  private Checks() {}

  /**
   * Throws {@link IllegalArgumentException} with the formatted message unless {@code condition} holds.
   */
  public static void requireArgument(boolean condition, String template, @Nullable Object... args) {
    if (!condition) {
      throw new IllegalArgumentException(String.format(template, args));
    }
  }

  // Fixed-arity overloads: the hot path (a Charge, a Slot, a ConsumeRequest per call) then neither boxes its
  // arguments nor allocates a varargs array unless the check fails.

  /** As {@link #requireArgument(boolean, String, Object...)}, boxing {@code arg} only on failure. */
  public static void requireArgument(boolean condition, String template, long arg) {
    if (!condition) {
      throw new IllegalArgumentException(String.format(template, arg));
    }
  }

  /** As {@link #requireArgument(boolean, String, Object...)}, boxing the arguments only on failure. */
  public static void requireArgument(boolean condition, String template, long arg1, long arg2) {
    if (!condition) {
      throw new IllegalArgumentException(String.format(template, arg1, arg2));
    }
  }

  /** As {@link #requireArgument(boolean, String, Object...)}, without a varargs array. */
  public static void requireArgument(boolean condition, String template, @Nullable Object arg) {
    if (!condition) {
      throw new IllegalArgumentException(String.format(template, arg));
    }
  }

  /** As {@link #requireArgument(boolean, String, Object...)}, without a varargs array. */
  public static void requireArgument(boolean condition, String template, @Nullable Object arg1,
      @Nullable Object arg2) {
    if (!condition) {
      throw new IllegalArgumentException(String.format(template, arg1, arg2));
    }
  }

  /**
   * Checks a string that reaches a store, or names what does: {@link Identifiers#require}.
   *
   * @param value     the value, not null
   * @param what      what it is, for the message ({@code "subject"})
   * @param maxLength the most characters (UTF-16 units) a store accepts
   * @return {@code value}
   * @throws IllegalArgumentException if the value breaks a rule
   */
  public static String requireIdentifier(String value, String what, int maxLength) {
    return Identifiers.require(value, what, maxLength);
  }

  /**
   * Returns {@code value} fit for a message: {@link Identifiers#readable}.
   *
   * @param value the value to show
   * @return the readable form
   */
  public static String readable(String value) {
    return Identifiers.readable(value);
  }

  /** Throws {@link IllegalStateException} with the formatted message unless {@code condition} holds. */
  public static void requireState(boolean condition, String template, @Nullable Object... args) {
    if (!condition) {
      throw new IllegalStateException(String.format(template, args));
    }
  }

  /** Adds two non-negative amounts, saturating at {@link Long#MAX_VALUE} instead of wrapping. */
  public static long saturatedAdd(long a, long b) {
    return WindowCell.saturatedAdd(a, b);
  }

  /**
   * The fit rule of {@link dev.limits.spi.Charge#fits}: {@code used + amount <= limit} without wrapping, or
   * {@code used < limit} for an amount of zero.
   */
  public static boolean fits(long limit, long amount, long used) {
    return WindowCell.fits(limit, amount, used);
  }
}
