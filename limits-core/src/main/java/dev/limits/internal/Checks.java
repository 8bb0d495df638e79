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
}
