package dev.limits.spring;

import dev.limits.LimitPolicy;
import jakarta.servlet.http.HttpServletRequest;

/**
 * Chooses the policy a request to a {@link Limited} handler counts under: the user's plan. Declare a bean of
 * this type to choose by the user's subscription; the default keeps the policy the handler names. A policy
 * chosen here must declare every metric of the handler's {@link Limited#amounts()}. Implementations must be
 * thread-safe.
 *
 * <pre>{@code
 * @Bean
 * PolicyResolver plans(LimitPolicies policies) {
 *   return (request, subject, declared) -> request.isUserInRole("PRO") ? policies.get("pro") : declared;
 * }
 * }</pre>
 *
 * Counters are kept by metric and window, not by policy: a user who upgrades keeps what they used.
 */
@FunctionalInterface
public interface PolicyResolver {

  /**
   * Returns the policy of a request.
   *
   * @param request  the request
   * @param subject  whose quota it counts against, as the {@link SubjectResolver} said
   * @param declared the policy its handler names in {@link Limited#policy()}
   * @return the policy to count it under
   */
  LimitPolicy resolve(HttpServletRequest request, String subject, LimitPolicy declared);
}
