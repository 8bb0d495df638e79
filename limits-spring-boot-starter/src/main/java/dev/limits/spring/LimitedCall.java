package dev.limits.spring;

import dev.limits.Amounts;
import dev.limits.Decision;
import dev.limits.LimitPolicy;
import dev.limits.Metric;
import dev.limits.Reservation;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The reservation of a request to a {@link Limited} handler: declare a parameter of this type to read the
 * decision or to set what the call really used, which is committed when the handler answers 2xx instead of
 * the estimate of {@link Limited#amounts()}. Used by the request's thread only.
 */
public final class LimitedCall {

  private final LimitPolicy policy;
  private final Reservation reservation;
  private final Map<Metric, Long> amounts;
  private boolean settled;

  /**
   * Wraps a granted reservation.
   *
   * @param policy      the policy it was made under
   * @param reservation the reservation
   * @param estimate    what it reserved
   * @throws NullPointerException if an argument is null
   */
  public LimitedCall(LimitPolicy policy, Reservation reservation, Amounts estimate) {
    this.policy = Objects.requireNonNull(policy, "policy");
    this.reservation = Objects.requireNonNull(reservation, "reservation");
    this.amounts = new LinkedHashMap<>(Objects.requireNonNull(estimate, "estimate").asMap());
  }

  /** {@return the decision that granted the request: the usage of each quota and any warning} */
  public Decision decision() {
    return reservation.decision();
  }

  /**
   * {@return whether the client retried an earlier request with the same idempotency key (the
   * {@code Idempotency-Key} header): the reservation is the earlier one's and its usage counts once, whichever
   * of them commits; a handler that kept the earlier answer can send it again without calling the model}
   */
  public boolean isRetry() {
    return reservation.isRetry();
  }

  /** {@return the policy the request counts under} */
  public LimitPolicy policy() {
    return policy;
  }

  /**
   * Sets what the call used of {@code metric}, to commit in place of the estimate.
   *
   * @param metric the metric's name, one of the policy's
   * @param amount the amount used, zero or more
   * @return this call
   * @throws IllegalArgumentException if the handler's {@link Limited#amounts()} reserve no such metric, or the
   *                                  amount is negative
   * @throws IllegalStateException    if the call was already settled
   */
  public LimitedCall actual(String metric, long amount) {
    Objects.requireNonNull(metric, "metric");
    Metric m = policy.metrics().get(metric);
    if (m == null || !amounts.containsKey(m)) {
      throw new IllegalArgumentException("the handler reserved no '" + metric + "': name it in @Limited(amounts),"
          + " as one of " + policy.metrics().keySet());
    }
    if (amount < 0) {
      throw new IllegalArgumentException("amount of '" + metric + "' must be zero or more, got " + amount);
    }
    if (settled) {
      throw new IllegalStateException("the call was already settled");
    }
    amounts.put(m, amount);
    return this;
  }

  /** Commits what the call used (the estimate unless {@link #actual} said otherwise); once. */
  void commit() {
    if (!settled) {
      settled = true;
      Amounts actual = Amounts.none();
      for (Map.Entry<Metric, Long> e : amounts.entrySet()) {
        actual = actual.and(e.getKey(), e.getValue());
      }
      try {
        reservation.commit(actual);
      } catch (IllegalStateException e) {
        if (!reservation.isRetry()) {
          throw e;
        } // else the earlier request committed: the call counted once, as it should
      }
    }
  }

  /** Cancels the reservation: the call counts nothing; once. */
  void cancel() {
    if (!settled) {
      settled = true;
      reservation.cancel();
    }
  }

  @Override
  public String toString() {
    return "LimitedCall[" + policy.name() + ", " + reservation + "]";
  }
}
