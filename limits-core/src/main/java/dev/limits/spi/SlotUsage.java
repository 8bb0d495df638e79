package dev.limits.spi;

import java.util.Objects;

/**
 * The stored usage of one counter cell, as {@link UsageCounter#snapshot} reports it.
 *
 * @param key   the counter key
 * @param start the start of the stored period (for a rolling window, of its newest bucket), epoch millis
 * @param used  the usage in that period (for a rolling window, the sum of the buckets still kept)
 */
public record SlotUsage(String key, long start, long used) {

  /**
   * Creates a slot usage.
   *
   * @param key   the counter key
   * @param start the start of the stored period (for a rolling window, of its newest bucket), epoch millis
   * @param used  the usage in that period (for a rolling window, the sum of the buckets still kept)
   * @throws NullPointerException if {@code key} is null
   */
  public SlotUsage {
    Objects.requireNonNull(key, "key");
  }
}
