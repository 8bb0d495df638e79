package dev.limits.internal;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counter keys interned to small dense ids, shared by every in-memory counter of this JVM, so that a subject's
 * cells sit in an array indexed by key id instead of a map, and a policy resolves its keys once.
 *
 * <p>Keys come from policies (metric, window and scope), not from requests, so the registry stays as small as
 * the set of quotas the application declares. Reads ({@link #find}) never register a key. Thread-safe.
 */
public final class CounterKeys {

  private static final ConcurrentHashMap<String, Integer> IDS = new ConcurrentHashMap<>();
  private static volatile String[] names = new String[16];
  private static int size; // guarded by IDS's own monitor below

  private CounterKeys() {}

  /** Returns the id of {@code key}, registering it if it is new. */
  public static int id(String key) {
    Integer id = IDS.get(key);
    return id != null ? id : register(key);
  }

  /** Returns the id of {@code key}, or -1 if no counter ever wrote it. */
  public static int find(String key) {
    Integer id = IDS.get(key);
    return id != null ? id : -1;
  }

  /** Returns the key of {@code id}, which {@link #id} returned. */
  public static String name(int id) {
    return names[id];
  }

  private static int register(String key) {
    synchronized (IDS) {
      Integer id = IDS.get(key);
      if (id != null) {
        return id;
      }
      String[] n = names;
      if (size == n.length) {
        n = Arrays.copyOf(n, n.length * 2);
      }
      n[size] = key;
      names = n; // published before the id, so that name(id) of any id a reader sees is set
      IDS.put(key, size);
      return size++;
    }
  }
}
