package dev.limits.plans.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The names limits-plans gives to counters and model groups: ids of users, chats, codes and models escaped so
 * that two different ids never share a name.
 */
public final class Names {

  /** The longest model-group name limits-core accepts. */
  private static final int MAX_GROUP_NAME = 64;

  private Names() {}

  /**
   * Escapes {@code / @ # % , "} whitespace and control characters as {@code %XX}, or {@code %u} and four
   * hex digits above {@code U+00FF} (an em space, U+2003, must not read as a space and "03"), so that
   * joining escaped parts with {@code /} never makes two different pairs look alike and model ids become
   * valid group names.
   *
   * @param s the id
   * @return the escaped id
   */
  public static String escape(String s) {
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

  /**
   * Returns the subject of a chat session's counters: {@code user/chat}, the chat id escaped so that pairs
   * never collide.
   *
   * @param user the user id
   * @param chat the chat session id
   * @return the subject
   */
  public static String chatSubject(String user, String chat) {
    return user + "/" + escape(chat);
  }

  /**
   * Returns the subject of an organisation's shared counters: {@code org/id}, the id escaped.
   *
   * @param organisation the organisation id
   * @return the subject
   */
  public static String organisationSubject(String organisation) {
    return "org/" + escape(organisation);
  }

  /**
   * Returns a valid, injective model-group name for {@code model}; hashed when escaping makes it too long.
   *
   * @param model the model id
   * @return the group name, at most 64 characters
   */
  public static String groupName(String model) {
    String escaped = escape(model);
    if (escaped.length() <= MAX_GROUP_NAME) {
      return escaped;
    }
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(model.getBytes(StandardCharsets.UTF_8));
      StringBuilder hex = new StringBuilder();
      for (int i = 0; i < 8; i++) {
        hex.append(String.format("%02x", digest[i]));
      }
      int cut = Character.isHighSurrogate(escaped.charAt(46)) ? 46 : 47; // never split a surrogate pair
      return escaped.substring(0, cut) + "~" + hex;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
