package dev.limits.testkit;

import dev.limits.Decision;
import org.assertj.core.api.Assertions;

/**
 * Entry point for AssertJ assertions in tests of limits: AssertJ's own {@link Assertions} plus the testkit's,
 * so one static import serves a {@link Decision}, an {@code Instant}, a {@code String} and everything else.
 *
 * <pre>{@code
 * import static dev.limits.testkit.LimitsAssertions.assertThat;
 *
 * assertThat(limiter.consume(plan, request)).isQuotaExceeded().isDeniedBy("messages@hour");
 * assertThat(decision.at()).isAfter(start);            // AssertJ's, through the same import
 * }</pre>
 *
 * <p>Importing AssertJ's {@code Assertions.assertThat} beside it is harmless: both name the same methods.
 */
public class LimitsAssertions extends Assertions {

  /** For subclasses that add assertions of their own, as this class adds to AssertJ's. */
  protected LimitsAssertions() {}

  /**
   * Starts assertions on {@code decision}.
   *
   * @param decision the decision to check
   * @return an assertion on it
   */
  public static DecisionAssert assertThat(Decision decision) {
    return new DecisionAssert(decision);
  }
}
