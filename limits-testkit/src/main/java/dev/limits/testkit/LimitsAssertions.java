package dev.limits.testkit;

import dev.limits.Decision;

/**
 * Entry point for the testkit's AssertJ assertions; import statically next to AssertJ's own.
 *
 * <pre>{@code
 * import static dev.limits.testkit.LimitsAssertions.assertThat;
 * assertThat(limiter.consume(plan, request)).isQuotaExceeded().isDeniedBy("messages@hour");
 * }</pre>
 */
public final class LimitsAssertions {

  private LimitsAssertions() {}

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
