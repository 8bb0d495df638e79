package dev.limits.spi;

/**
 * The rule for the ids a store receives: subjects, operation ids and counter keys, and the names they are
 * made of (models, model groups). A store may rely on every such id having passed {@link #require}: it is
 * stored as it is, and two different ones never share a row. {@link ConsumeRequest#requireSubject},
 * {@link ConsumeRequest#requireOperationId} and the {@link Slot} constructor apply it with their own lengths.
 *
 * <p>Stateless and thread-safe.
 *
 * @see ConsumeRequest
 */
public final class Identifiers {

  private Identifiers() {}

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
   * @param value     the value, not null (a caller names a null one with its own parameter's name)
   * @param what      what it is, for the message ({@code "subject"})
   * @param maxLength the most characters (UTF-16 units) a store accepts
   * @return {@code value}
   * @throws IllegalArgumentException if the value breaks a rule; the message shows it with control
   *                                  characters and unpaired surrogates escaped as <code>&#92;u</code> and four
   *                                  hex digits
   */
  public static String require(String value, String what, int maxLength) {
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
}
