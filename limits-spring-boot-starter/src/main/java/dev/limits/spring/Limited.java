package dev.limits.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Limits a Spring MVC handler method (or every handler of a controller): before the handler runs, the request's
 * subject ({@link SubjectResolver}) reserves {@link #amounts()} under the {@link #policy()}; the reservation is
 * committed when the handler answers 2xx and cancelled otherwise (an exception, a 4xx or 5xx), so a call that
 * failed counts nothing.
 *
 * <pre>{@code
 * @PostMapping("/chat")
 * @Limited(policy = "free", amounts = {"messages=1", "tokens=800"}, model = "model")
 * Reply send(@RequestParam String model, @RequestBody Prompt prompt, LimitedCall call) {
 *   Reply reply = ai.chat(model, prompt);
 *   call.actual("tokens", reply.totalTokens());     // commits what the call used, not the estimate
 *   return reply;
 * }
 * }</pre>
 *
 * A denied request never reaches the handler: it is answered with an RFC 9457 problem detail, 403 (an access
 * rule: a model the plan does not include), 429 (a quota, with {@code Retry-After}) or 503 (the store is down
 * and the limiter fails closed), with the {@code RateLimit-Policy} and {@code RateLimit} header fields and the
 * message in the request's locale. A request without a subject is answered 401 unless
 * {@code limits.web.anonymous} keys it otherwise.
 *
 * @see LimitedCall
 * @see LimitsProperties.Web
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface Limited {

  /** {@return the name of the policy, under {@code limits.policies}} */
  String policy();

  /**
   * {@return what a request reserves, each as {@code metric=amount} (the estimate, for what is only known
   * afterwards): {@code "messages=1"}, {@code "tokens=800"}; a metric of the policy that is not named is
   * not counted}
   */
  String[] amounts() default {};

  /**
   * {@return the name of the request parameter or path variable that holds the model the request asks for,
   * checked against the policy's {@code models}; empty when the handler names no model}
   */
  String model() default "";
}
