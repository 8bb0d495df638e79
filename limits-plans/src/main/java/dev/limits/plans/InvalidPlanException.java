package dev.limits.plans;

import dev.limits.InvalidPolicyException;
import java.util.List;

/**
 * A plan's configuration is invalid: {@link #problems()} lists every bad value at once, so that an
 * administrator fixes a plan in one go. Its problem list is immutable.
 *
 * @see Plan#fromConfig(java.util.Map)
 */
public class InvalidPlanException extends InvalidPolicyException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception for plan {@code name} listing {@code problems}.
   *
   * @param name     the name of the plan
   * @param problems every problem found, each a sentence for an administrator
   */
  public InvalidPlanException(String name, List<String> problems) {
    super(name, problems);
  }
}
