package dev.limits;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One occurrence of a {@link Window}: the half-open interval {@code [start, end)} of instants it covers.
 *
 * <p>For a {@linkplain Window#lifetime() lifetime} window the period never ends: {@link #end()} is
 * {@link Instant#MAX} and {@link #resetsAt()} is empty. For a {@linkplain Window.Rolling rolling} window the
 * period is the current bucket, the unit in which old usage stops counting.
 *
 * <p>Immutable and thread-safe.
 *
 * @param start the first instant of the period, inclusive
 * @param end   the first instant after the period, exclusive; {@link Instant#MAX} if it never ends
 * @see Window#periodAt(Instant, java.time.ZoneId)
 */
public record Period(Instant start, Instant end) {

  /**
   * Creates a period.
   *
   * @param start the first instant of the period, inclusive
   * @param end   the first instant after the period, exclusive; {@link Instant#MAX} if it never ends
   * @throws NullPointerException     if {@code start} or {@code end} is null
   * @throws IllegalArgumentException if {@code end} is not after {@code start}
   */
  public Period {
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(end, "end");
    if (!end.isAfter(start)) {
      throw new IllegalArgumentException("period end " + end + " must be after its start " + start);
    }
  }

  /**
   * Returns whether {@code instant} lies within {@code [start, end)}.
   *
   * @param instant the instant to test
   * @return whether it is in this period
   */
  public boolean contains(Instant instant) {
    return !instant.isBefore(start) && instant.isBefore(end);
  }

  /** {@return whether this period never ends (a lifetime window)} */
  public boolean isEndless() {
    return end.equals(Instant.MAX);
  }

  /** {@return when this period ends and usage counted in it stops counting, or empty if it never ends} */
  public Optional<Instant> resetsAt() {
    return isEndless() ? Optional.empty() : Optional.of(end);
  }
}
