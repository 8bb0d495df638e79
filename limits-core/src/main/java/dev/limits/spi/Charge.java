package dev.limits.spi;

import dev.limits.internal.Checks;
import java.util.Objects;

/**
 * An amount to count in one {@link Slot}, with the limit it must stay within.
 *
 * <p>A charge <em>fits</em> when {@code used + amount <= limit} for a positive amount, and when
 * {@code used < limit} for an amount of zero (a zero charge asks "is anything left?", as a cost budget
 * does before a call whose cost is known only afterwards). Sums never wrap: an overflowing sum does not fit.
 *
 * @param slot   the counter cell
 * @param limit  the most the cell may hold, zero or more
 * @param amount the amount to count, zero or more
 * @see ConsumeRequest
 */
public record Charge(Slot slot, long limit, long amount) {

  /**
   * Creates a charge.
   *
   * @param slot   the counter cell
   * @param limit  the most the cell may hold, zero or more
   * @param amount the amount to count, zero or more
   * @throws NullPointerException     if {@code slot} is null
   * @throws IllegalArgumentException if {@code limit} or {@code amount} is negative
   */
  public Charge {
    Objects.requireNonNull(slot, "slot");
    Checks.requireArgument(limit >= 0, "limit must not be negative, got %s", limit);
    Checks.requireArgument(amount >= 0, "amount must not be negative, got %s", amount);
  }

  /**
   * Returns whether this charge fits on top of {@code used}.
   *
   * @param used the cell's current usage
   * @return whether {@code used + amount <= limit}
   */
  public boolean fits(long used) {
    return Checks.fits(limit, amount, used);
  }
}
