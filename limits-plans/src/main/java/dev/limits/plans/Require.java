package dev.limits.plans;

import org.jspecify.annotations.Nullable;

/** Argument and state checks that name the offending value; the plans module's copy of core's helper. */
final class Require {

  private Require() {}

  static void argument(boolean condition, String template, @Nullable Object... args) {
    if (!condition) {
      throw new IllegalArgumentException(String.format(template, args));
    }
  }

  static void state(boolean condition, String template, @Nullable Object... args) {
    if (!condition) {
      throw new IllegalStateException(String.format(template, args));
    }
  }

  /**
   * Escapes {@code / @ # % ,} whitespace and control characters as {@code %XX}, or {@code %uXXXX} above
   * {@code U+00FF} (an em space, U+2003, must not read as a space and "03"), so that joining escaped parts
   * with {@code /} never makes two different pairs look alike and model ids become valid group names.
   */
  static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '/' || c == '@' || c == '#' || c == '%' || c == ',' || c == '"' || Character.isWhitespace(c)
          || Character.isISOControl(c)) {
        b.append('%').append(c > 0xFF ? String.format("u%04X", (int) c) : String.format("%02X", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }
}
