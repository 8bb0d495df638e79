package dev.limits.jdbc.internal;

import java.util.regex.Pattern;

/** Table prefixes: the only text ever spliced into SQL, so they are checked to be plain identifiers. */
public final class Prefixes {

  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,29}");

  private Prefixes() {}

  /**
   * Returns {@code prefix} if it is a letter followed by up to 29 letters, digits or underscores.
   *
   * @throws NullPointerException     if {@code prefix} is null
   * @throws IllegalArgumentException otherwise
   */
  public static String require(String prefix) {
    if (prefix == null) {
      throw new NullPointerException("tablePrefix");
    }
    if (!IDENTIFIER.matcher(prefix).matches()) {
      throw new IllegalArgumentException("tablePrefix must be a letter followed by up to 29 letters, digits"
          + " or underscores, got '" + prefix + "'");
    }
    return prefix;
  }
}
