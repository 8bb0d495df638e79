package dev.limits;

/**
 * Hears what a {@link Limiter} decides: for metrics, audit logs or alerts. Every method does nothing by
 * default. An exception thrown by a listener is logged and swallowed: a listener can never break
 * enforcement. Implementations must be thread-safe; they are called on the caller's thread, so keep them
 * quick.
 *
 * @see Limiter.Builder#listener(LimitListener)
 */
public interface LimitListener {

  /**
   * A request was allowed (and, for acquire and consume, counted).
   *
   * @param policy   the policy applied
   * @param request  the request
   * @param decision the decision returned to the caller
   */
  default void onAllowed(LimitPolicy policy, LimitRequest request, Decision decision) {}

  /**
   * A request was denied.
   *
   * @param policy   the policy applied
   * @param request  the request
   * @param decision the decision returned to the caller
   */
  default void onDenied(LimitPolicy policy, LimitRequest request, Decision decision) {}

  /**
   * An allowed request brought a quota to or past the warning threshold.
   *
   * @param policy  the policy applied
   * @param request the request
   * @param warning the quota and the threshold it reached
   */
  default void onWarning(LimitPolicy policy, LimitRequest request, Warning warning) {}

  /**
   * A reservation was committed with its actual amounts.
   *
   * @param policy  the policy applied
   * @param request the request that was reserved
   * @param actual  the amounts the call really used
   */
  default void onCommitted(LimitPolicy policy, LimitRequest request, Amounts actual) {}
}
