package dev.limits.spring;

import dev.limits.LimitPolicy;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The application's policies by name, as {@code limits.policies} declares them (or as a bean of this type
 * replaces them). Immutable and thread-safe.
 *
 * @see LimitsProperties#policies()
 */
public final class LimitPolicies {

  private final Map<String, LimitPolicy> policies;

  private LimitPolicies(Map<String, LimitPolicy> policies) {
    this.policies = policies;
  }

  /**
   * The policies of this map, each under its own name.
   *
   * @param policies the policies by name
   * @return the policies
   * @throws NullPointerException     if the map or one of its entries is null
   * @throws IllegalArgumentException if a policy is filed under a name other than its own
   */
  public static LimitPolicies of(Map<String, LimitPolicy> policies) {
    Objects.requireNonNull(policies, "policies");
    Map<String, LimitPolicy> copy = new LinkedHashMap<>();
    policies.forEach((name, policy) -> {
      if (!name.equals(policy.name())) {
        throw new IllegalArgumentException("policy '" + policy.name() + "' is filed under the name '" + name + "'");
      }
      copy.put(name, policy);
    });
    return new LimitPolicies(java.util.Collections.unmodifiableMap(copy));
  }

  /**
   * The policy named {@code name}.
   *
   * @param name the policy's name
   * @return the policy
   * @throws IllegalArgumentException if there is no such policy
   */
  public LimitPolicy get(String name) {
    LimitPolicy policy = policies.get(Objects.requireNonNull(name, "name"));
    if (policy == null) {
      throw new IllegalArgumentException("no policy named '" + name + "'; limits.policies has " + policies.keySet());
    }
    return policy;
  }

  /**
   * The policy named {@code name}, if there is one.
   *
   * @param name the policy's name
   * @return the policy, or empty
   */
  public Optional<LimitPolicy> find(String name) {
    return Optional.ofNullable(policies.get(Objects.requireNonNull(name, "name")));
  }

  /** {@return every policy by name, in declaration order} */
  public Map<String, LimitPolicy> asMap() {
    return policies;
  }

  @Override
  public String toString() {
    return "LimitPolicies" + policies.keySet();
  }
}
