package dev.limits.spring;

import dev.limits.LimitsException;
import java.util.List;

/**
 * The {@code limits.*} properties hold bad values: thrown at startup, it names every bad key with what is wrong
 * with it, so that an admin fixes a plan in one go.
 *
 * <pre>
 * limits properties are invalid:
 *  - limits.policies.free.zone: invalid zone id 'Asia/Tehrn'
 *  - limits.policies.free.quotas.messages.hourr: unknown window 'hourr'; did you mean 'hour'?
 *  - limits.policies.free.quotas.tokens.day: 'lots' is not a whole number
 * </pre>
 */
public class InvalidLimitsPropertiesException extends LimitsException {

  private static final long serialVersionUID = 1L;

  /** The problems, each starting with its key. */
  private final List<String> problems;

  /**
   * Creates the exception.
   *
   * @param problems the problems, each starting with the key it is about; at least one
   * @throws IllegalArgumentException if {@code problems} is empty
   */
  public InvalidLimitsPropertiesException(List<String> problems) {
    super("limits properties are invalid:\n - " + String.join("\n - ", requireSome(problems)));
    this.problems = List.copyOf(problems);
  }

  private static List<String> requireSome(List<String> problems) {
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("an invalid configuration has at least one problem");
    }
    return problems;
  }

  /** {@return every problem, each starting with the key it is about} */
  public List<String> problems() {
    return problems;
  }
}
