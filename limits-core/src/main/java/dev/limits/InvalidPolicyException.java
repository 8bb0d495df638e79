package dev.limits;

import java.util.List;

/**
 * A policy could not be built: {@link #problems()} lists every configuration error found, so that an
 * administrator can fix a plan in one go.
 *
 * @see LimitPolicy.Builder#build()
 */
public class InvalidPolicyException extends LimitsException {

  private static final long serialVersionUID = 1L;

  /** Every problem found, so that all of them can be fixed at once. */
  private final List<String> problems;

  /**
   * Creates an exception for policy {@code name} listing {@code problems}.
   *
   * @param name     the name of the policy
   * @param problems every problem found, each a sentence for an administrator
   */
  public InvalidPolicyException(String name, List<String> problems) {
    super("policy '" + name + "' is invalid: " + String.join("; ", problems));
    this.problems = List.copyOf(problems);
  }

  /** {@return every problem found, in the order the builder met them} */
  public List<String> problems() {
    return problems;
  }
}
