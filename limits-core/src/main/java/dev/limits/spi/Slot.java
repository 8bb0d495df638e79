package dev.limits.spi;

import dev.limits.internal.Checks;
import java.util.Objects;

/**
 * One counter cell of a subject: a counter key and the period of its window that a request falls in.
 *
 * <p>{@code key} names the metric, the window and the scope (for example {@code "tokens@day"} or
 * {@code "tokens@month#gpt-4o"}); it is stable across policy changes so usage survives a plan upgrade.
 * {@code start} and {@code end} are epoch milliseconds; a lifetime slot ends at {@link Long#MAX_VALUE}.
 *
 * <p>{@code lookback} is 0 for calendar and lifetime windows: only the period {@code [start, end)} counts,
 * and a stored cell whose period started earlier is reset when written. For a rolling window it is the
 * number of earlier buckets, each {@code end - start} long, that count together with the current one.
 *
 * <p>A stored cell whose period started <em>later</em> than the slot's (an instance with a lagging clock)
 * is never reset: the later period wins, and the request counts against it.
 *
 * @param key      the counter key: 1 to {@value #MAX_KEY_LENGTH} characters, checked as
 *                 {@link ConsumeRequest#requireSubject} checks a subject
 * @param start    the period's start, epoch milliseconds
 * @param end      the period's end, exclusive, epoch milliseconds
 * @param lookback how many earlier buckets of the same length count too (rolling windows)
 * @see Charge
 */
public record Slot(String key, long start, long end, int lookback) {

  /** The longest counter key a store must accept. */
  public static final int MAX_KEY_LENGTH = 200;

  /**
   * Creates a slot.
   *
   * @param key      the counter key: 1 to {@value #MAX_KEY_LENGTH} characters
   * @param start    the period's start, epoch milliseconds
   * @param end      the period's end, exclusive, epoch milliseconds
   * @param lookback how many earlier buckets of the same length count too (rolling windows)
   * @throws NullPointerException     if {@code key} is null
   * @throws IllegalArgumentException if the key is malformed (empty, blank or too long, with leading or
   *                                  trailing whitespace, a control character or an unpaired surrogate),
   *                                  the period is empty, or the lookback is negative
   */
  public Slot {
    Checks.requireIdentifier(Objects.requireNonNull(key, "key"), "counter key", MAX_KEY_LENGTH);
    Checks.requireArgument(end > start, "slot period end %s must be after its start %s", end, start);
    Checks.requireArgument(lookback >= 0, "slot lookback must not be negative, got %s", lookback);
  }

  /** {@return the length of one bucket (the period) in milliseconds} */
  public long length() {
    return end - start;
  }

  /** {@return whether this slot is a rolling window whose earlier buckets still count} */
  public boolean isRolling() {
    return lookback > 0;
  }
}
