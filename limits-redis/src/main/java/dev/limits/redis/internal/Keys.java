package dev.limits.redis.internal;

import io.lettuce.core.cluster.SlotHash;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * The keys of the counter. Each subject has up to three, all with its tenant's hash tag, so that every key
 * one operation touches lies in one Cluster slot:
 * <ul>
 *   <li>{@code <prefix>{<tenant>}c:<subject>}: a hash of its cells, one field per counter key;
 *   <li>{@code <prefix>{<tenant>}o:<subject>}: a hash of its operation ids (idempotency keys, reservations);
 *   <li>{@code <prefix>{<tenant>}x:<subject>}: a sorted set of those ids by the time they expire, for purge.
 * </ul>
 * The tenant is {@code tenantOf.apply(subject)}, the subject itself by default; a {@code '}'} in it is
 * written {@code %7D}, so that the tag ends where the tenant does. The key ends with the whole subject, so
 * two subjects never share a key. Immutable and thread-safe.
 */
public final class Keys {

  private final String prefix;
  private final Function<String, String> tenantOf;

  /**
   * Creates the key scheme.
   *
   * @param prefix   the prefix of every key, without a brace
   * @param tenantOf the tenant (hash tag) of a subject
   */
  public Keys(String prefix, Function<String, String> tenantOf) {
    this.prefix = prefix;
    this.tenantOf = tenantOf;
  }

  /** {@return the prefix of every key} */
  public String prefix() {
    return prefix;
  }

  private String head(String subject) {
    String tenant = Objects.requireNonNull(tenantOf.apply(subject), "the tenant of subject " + subject);
    if (tenant.isEmpty()) {
      throw new IllegalArgumentException("the tenant of subject '" + subject + "' is empty");
    }
    return prefix + "{" + tenant.replace("}", "%7D") + "}";
  }

  /** {@return the key of the hash of {@code subject}'s cells} */
  public String cells(String subject) {
    return head(subject) + "c:" + subject;
  }

  /** {@return the key of the hash of {@code subject}'s operation ids} */
  public String operations(String subject) {
    return head(subject) + "o:" + subject;
  }

  /** {@return the key of the sorted set of {@code subject}'s operation ids by expiry} */
  public String expiries(String subject) {
    return head(subject) + "x:" + subject;
  }

  /**
   * The kind of one of the counter's keys ({@code 'c'}, {@code 'o'} or {@code 'x'}), or 0 if it is not one.
   *
   * @param key a key found by SCAN
   * @return its kind
   */
  public char kind(String key) {
    int close = key.indexOf('}', prefix.length());
    if (!key.startsWith(prefix + "{") || close < 0 || close + 2 >= key.length() || key.charAt(close + 2) != ':') {
      return 0;
    }
    return key.charAt(close + 1);
  }

  /**
   * Another key of the subject of {@code key}.
   *
   * @param key  a key of the counter
   * @param kind the kind wanted
   * @return the subject's key of that kind
   */
  public String sibling(String key, char kind) {
    int close = key.indexOf('}', prefix.length());
    return key.substring(0, close + 1) + kind + key.substring(close + 2);
  }

  /**
   * Checks, on Redis Cluster, that the keys of a request's subjects lie in one slot: a script may touch
   * keys of one slot only.
   *
   * @param subjects the subjects of one operation, the owner first
   * @throws IllegalArgumentException if two of them fall in different hash slots
   */
  public void requireOneSlot(List<String> subjects) {
    String owner = subjects.get(0);
    int slot = SlotHash.getSlot(cells(owner));
    for (int j = 1; j < subjects.size(); j++) {
      String subject = subjects.get(j);
      int other = SlotHash.getSlot(cells(subject));
      if (other != slot) {
        throw new IllegalArgumentException("subjects '" + owner + "' and '" + subject + "' fall in Redis Cluster"
            + " hash slots " + slot + " and " + other + ": a request that charges several subjects needs them"
            + " under one tenant (RedisUsageCounter.Builder.tenantOf)");
      }
    }
  }

  /**
   * Checks a key prefix: not null, no brace (the hash tag is the first brace pair of a key), no control
   * character.
   *
   * @param prefix the prefix
   * @return {@code prefix}
   * @throws IllegalArgumentException if it has a brace or a control character
   */
  public static String requirePrefix(String prefix) {
    Objects.requireNonNull(prefix, "prefix");
    for (int i = 0; i < prefix.length(); i++) {
      char c = prefix.charAt(i);
      if (c == '{' || c == '}' || Character.isISOControl(c)) {
        throw new IllegalArgumentException("key prefix must have no brace nor control character, got '"
            + prefix + "'");
      }
    }
    return prefix;
  }
}
