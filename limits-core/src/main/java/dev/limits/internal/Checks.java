package dev.limits.internal;

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

  /** Throws {@link IllegalStateException} with the formatted message unless {@code condition} holds. */
  public static void requireState(boolean condition, String template, @Nullable Object... args) {
    if (!condition) {
      throw new IllegalStateException(String.format(template, args));
    }
  }

  /** Adds two non-negative amounts, saturating at {@link Long#MAX_VALUE} instead of wrapping. */
  public static long saturatedAdd(long a, long b) {
    long sum = a + b;
    return ((a ^ sum) & (b ^ sum)) < 0 ? (a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE) : sum;
  }

  /**
   * The fit rule of {@link dev.limits.spi.Charge#fits}: {@code used + amount <= limit} without wrapping, or
   * {@code used < limit} for an amount of zero.
   */
  public static boolean fits(long limit, long amount, long used) {
    if (amount == 0) {
      return used < limit;
    }
    long sum = used + amount;
    return sum >= 0 && sum <= limit;
  }
}
