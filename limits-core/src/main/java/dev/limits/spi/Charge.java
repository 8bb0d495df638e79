package dev.limits.spi;

import java.util.Objects;

/**
 * An amount to count in one {@link Slot} of one of a request's subjects, with the limit it must stay within.
 *
 * <p>{@code subject} is an index into {@link ConsumeRequest#subjects()}: 0 for the request's first subject
 * (a user, say), 1 and on for the others it charges at once (the user's team, the organisation whose token
 * pool the user draws from). A store finds the cell of a charge by its subject and its slot's key.
 *
 * <p>A charge <em>fits</em> when {@code used + amount <= limit} for a positive amount, and when
 * {@code used < limit} for an amount of zero (a zero charge asks "is anything left?", as a cost budget
 * does before a call whose cost is known only afterwards). Sums never wrap: an overflowing sum does not fit.
 *
 * @param subject the index of the charged subject in the request's {@link ConsumeRequest#subjects()}
 * @param slot    the counter cell
 * @param limit   the most the cell may hold, zero or more
 * @param amount  the amount to count, zero or more
 * @see ConsumeRequest
 */
public record Charge(int subject, Slot slot, long limit, long amount) {

  /**
   * Creates a charge of a subject of its request.
   *
   * @param subject the index of the charged subject in the request's {@link ConsumeRequest#subjects()}, 0 to
   *                {@link ConsumeRequest#MAX_SUBJECTS} - 1; the request checks that it has that many
   * @param slot    the counter cell
   * @param limit   the most the cell may hold, zero or more
   * @param amount  the amount to count, zero or more
   * @throws NullPointerException     if {@code slot} is null
   * @throws IllegalArgumentException if {@code subject} is negative or not below
   *                                  {@link ConsumeRequest#MAX_SUBJECTS}, or {@code limit} or {@code amount} is
   *                                  negative
   */
  public Charge {
    Objects.requireNonNull(slot, "slot");
    if (subject < 0 || subject >= ConsumeRequest.MAX_SUBJECTS) {
      throw new IllegalArgumentException(
          "subject index must be 0 to " + (ConsumeRequest.MAX_SUBJECTS - 1) + ", got " + subject);
    }
    if (limit < 0) {
      throw new IllegalArgumentException("limit must not be negative, got " + limit);
    }
    if (amount < 0) {
      throw new IllegalArgumentException("amount must not be negative, got " + amount);
    }
  }

  /**
   * Creates a charge of the request's first subject (index 0).
   *
   * @param slot   the counter cell
   * @param limit  the most the cell may hold, zero or more
   * @param amount the amount to count, zero or more
   * @throws NullPointerException     if {@code slot} is null
   * @throws IllegalArgumentException if {@code limit} or {@code amount} is negative
   */
  public Charge(Slot slot, long limit, long amount) {
    this(0, slot, limit, amount);
  }

  /**
   * Returns whether this charge fits on top of {@code used}.
   *
   * @param used the cell's current usage
   * @return whether {@code used + amount <= limit}
   */
  public boolean fits(long used) {
    return WindowCell.fits(limit, amount, used);
  }
}
