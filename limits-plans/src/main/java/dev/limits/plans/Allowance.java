package dev.limits.plans;

import dev.limits.plans.internal.Require;
import org.jspecify.annotations.Nullable;

/**
 * What a plan allows of a count (of one {@link PlanLimit} per window, of the tokens of one call to a free model,
 * of the bytes of a file): a number, zero or more, or {@linkplain #unlimited() unlimited}.
 *
 * <p>Zero allows nothing, as a quota of zero does in {@link dev.limits.LimitPolicy}; unlimited is a value of its
 * own, never a number, so the two cannot be mistaken for each other. Admin settings and the plan tables write
 * unlimited as 0; only {@link Plan#fromConfig(java.util.Map)} reads that convention, and it yields
 * {@link #unlimited()}. Immutable and thread-safe.
 *
 * <pre>{@code
 * Plan.builder("pro")
 *     .limit(PlanLimit.MESSAGES_PER_HOUR, Allowance.of(20))
 *     .limit(PlanLimit.IMAGES_PER_DAY, Allowance.unlimited())   // lifts the default of 10 a day
 *     .build();
 * }</pre>
 *
 * @see Plan#limit(PlanLimit)
 * @see Plan.Builder#limit(PlanLimit, Allowance)
 * @see Plan#maxTokensFree()
 * @see Plan#maxFileSize()
 */
public final class Allowance {

  private static final Allowance UNLIMITED = new Allowance(Long.MAX_VALUE, true);
  private static final Allowance NOTHING = new Allowance(0, false);

  private final long max;
  private final boolean unlimited;

  private Allowance(long max, boolean unlimited) {
    this.max = max;
    this.unlimited = unlimited;
  }

  /**
   * At most {@code max}.
   *
   * @param max the most allowed (per window, for a limit); zero allows nothing
   * @return the allowance
   * @throws IllegalArgumentException if {@code max} is negative
   */
  public static Allowance of(long max) {
    Require.argument(max >= 0, "an allowance must be 0 (nothing) or more, got %s; for no limit use "
        + "Allowance.unlimited()", max);
    return max == 0 ? NOTHING : new Allowance(max, false);
  }

  /** {@return no limit at all: nothing is counted against it} */
  public static Allowance unlimited() {
    return UNLIMITED;
  }

  /** {@return whether there is no limit} */
  public boolean isUnlimited() {
    return unlimited;
  }

  /**
   * Returns the most allowed.
   *
   * @return the limit, zero or more
   * @throws IllegalStateException if this allowance is unlimited
   */
  public long max() {
    Require.state(!unlimited, "an unlimited allowance has no maximum: check isUnlimited() first");
    return max;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof Allowance && ((Allowance) o).max == max && ((Allowance) o).unlimited == unlimited;
  }

  @Override
  public int hashCode() {
    return unlimited ? -1 : Long.hashCode(max);
  }

  /** {@return {@code unlimited}, or the number} */
  @Override
  public String toString() {
    return unlimited ? "unlimited" : Long.toString(max);
  }
}
