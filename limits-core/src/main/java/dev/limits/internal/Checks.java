package dev.limits.internal;

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
   * Checks a string that reaches a store, or names what does (a subject, an operation id, a counter key, a
   * model): 1 to {@code maxLength} characters, not blank, no leading or trailing whitespace, no ISO control
   * character and well-formed UTF-16 (no unpaired surrogate).
   *
   * <p>Each rule keeps a store from refusing the value or folding it into another: PostgreSQL refuses NUL,
   * drivers write an unpaired surrogate as {@code '?'} (so two of them share a row), and a PAD SPACE
   * collation (MariaDB's {@code utf8mb4_bin}) takes {@code "s "} for {@code "s"}. A caller then learns of a
   * bad value as an {@link IllegalArgumentException} naming it, never as a storage failure that a fail-open
   * limiter would answer by allowing.
   *
   * @param value     the value, not null
   * @param what      what it is, for the message ({@code "subject"})
   * @param maxLength the most characters (UTF-16 units) a store accepts
   * @return {@code value}
   * @throws IllegalArgumentException if the value breaks a rule; the message shows it with control
   *                                  characters and unpaired surrogates escaped as <code>&#92;u</code> and four
   *                                  hex digits
   */
  public static String requireIdentifier(String value, String what, int maxLength) {
    int n = value.length();
    if (n == 0) {
      throw new IllegalArgumentException(what + " must not be empty, got ''");
    }
    if (n > maxLength) {
      throw new IllegalArgumentException(what + " must have at most " + maxLength + " characters, got " + n
          + ": '" + readable(value) + "'");
    }
    for (int i = 0; i < n; i++) {
      char c = value.charAt(i);
      if (c > ' ' && c < 0x7f) {
        continue; // printable ASCII, the usual case
      }
      if (Character.isISOControl(c)) {
        throw new IllegalArgumentException(what + " must not contain control characters, got '"
            + readable(value) + "' (" + escape(c) + " at index " + i + ")");
      }
      if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(value.charAt(i + 1))) {
          i++;
          continue;
        }
        throw new IllegalArgumentException(what + " must be well-formed UTF-16, got '" + readable(value)
            + "' (unpaired surrogate " + escape(c) + " at index " + i + ")");
      }
    }
    if (Character.isWhitespace(value.charAt(0)) || Character.isWhitespace(value.charAt(n - 1))) {
      throw new IllegalArgumentException(what + (value.isBlank() ? " must not be blank"
          : " must not start or end with whitespace (trim it)") + ", got '" + readable(value) + "'");
    }
    return value;
  }

  /**
   * Returns {@code value} fit for a message: control characters, unpaired surrogates and whitespace other
   * than a space escaped as <code>&#92;u</code> and four hex digits, and cut after 256 characters.
   *
   * @param value the value to show
   * @return the readable form
   */
  public static String readable(String value) {
    int n = Math.min(value.length(), 256);
    StringBuilder b = new StringBuilder(n + 16);
    for (int i = 0; i < n; i++) {
      char c = value.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(value.charAt(i + 1))) {
        b.append(c).append(value.charAt(++i));
      } else if (Character.isISOControl(c) || Character.isSurrogate(c)
          || (c != ' ' && (Character.isWhitespace(c) || Character.isSpaceChar(c)))) {
        b.append(escape(c));
      } else {
        b.append(c);
      }
    }
    return n < value.length() ? b.append("...").toString() : b.toString();
  }

  private static String escape(char c) {
    return String.format("\\u%04X", (int) c);
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
