package dev.limits.plans.internal;

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
}
