package dev.limits;

import java.time.Instant;

/**
 * A handle on amounts reserved by {@link Limiter#acquire}: commit it with the actual amounts once the AI
 * call has run, or cancel it if the call failed. Closing an uncommitted reservation cancels it, so
 * try-with-resources never leaks a reservation:
 *
 * <pre>{@code
 * try (Reservation r = limiter.acquire(plan, request)) {
 *   if (!r.isGranted()) return r.decision();      // denied: nothing was reserved
 *   Reply reply = ai.call(...);                    // throws: close() cancels, the quota comes back
 *   r.commit(Amounts.of(TOKENS, reply.tokens())); // settle to what was actually used
 * }
 * }</pre>
 *
 * <p>Committing settles each metric to its actual amount, more or less than reserved: an overrun is
 * counted, not refused, since the call already happened. A metric left out of {@code actual} settles at its
 * reserved amount. A reservation neither committed nor cancelled before {@link #expiresAt()} is refunded by
 * the counter's purge. Thread-safe: commit, cancel and close may race, and exactly one of commit or cancel
 * takes effect.
 *
 * @see Limiter#acquire(LimitPolicy, LimitRequest)
 */
public interface Reservation extends AutoCloseable {

  /** {@return the decision taken when acquiring} */
  Decision decision();

  /** {@return whether the amounts were reserved; false if the decision is a denial} */
  boolean isGranted();

  /** {@return the reservation's id: the request's idempotency key, or a generated one} */
  String id();

  /** {@return when an unsettled reservation is refunded} */
  Instant expiresAt();

  /**
   * Settles the reservation to {@code actual}: metrics it names to their actual amounts, the others at
   * their reserved amounts.
   *
   * @param actual what the call really used
   * @throws NullPointerException     if {@code actual} is null
   * @throws IllegalArgumentException if {@code actual} names a metric the request did not reserve
   * @throws IllegalStateException    if the reservation was not granted, or was already committed or
   *                                  cancelled
   * @throws dev.limits.spi.StorageException if the counter failed; committing again is then safe
   */
  void commit(Amounts actual);

  /**
   * Refunds everything reserved. Does nothing if the reservation was not granted or was already cancelled.
   *
   * @throws IllegalStateException if the reservation was already committed
   */
  void cancel();

  /** Cancels the reservation unless it was committed; never throws for a committed one. */
  @Override
  void close();
}
