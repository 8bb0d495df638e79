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
 * the counter's purge; committing it later still counts the actual amounts. Thread-safe: commit, cancel and
 * close may race, and exactly one of commit or cancel takes effect.
 *
 * <p><b>Retries.</b> An acquire retried with the same idempotency key (a client resending its request, say)
 * reserves nothing more: it returns another handle on the same reservation, with {@link #isRetry()} true, so
 * that the host can answer the retry without running the AI call a second time. The handles share the
 * reservation, and the first commit or cancel of any of them settles it. A commit is never dropped without a
 * word: it counts, or it throws. So:
 * <ul>
 *   <li>a commit after another handle cancelled the reservation (or after it expired) still counts its
 *       actual amounts, since the call ran;
 *   <li>a commit after another handle committed throws {@link IllegalStateException}, and is not counted
 *       again; the original handle's commit stands;
 *   <li>a cancel or close after another handle settled the reservation does nothing.
 * </ul>
 * An idempotency key reused for a different request (other amounts or metrics) is refused with an
 * {@link IllegalArgumentException} by {@link Limiter#acquire}, and the reservation it names stays as it was.
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
   * Whether this handle came from an acquire retried with the idempotency key of an earlier one: the
   * reservation was made before, and the AI call it was made for may already be running or done. Its usage
   * then counts once, however many handles commit (see the class comment).
   *
   * @return true if the counter had seen this reservation's idempotency key before
   */
  boolean isRetry();

  /**
   * Settles the reservation to {@code actual}: metrics it names to their actual amounts, the others at
   * their reserved amounts.
   *
   * @param actual what the call really used
   * @throws NullPointerException     if {@code actual} is null
   * @throws IllegalArgumentException if {@code actual} names a metric the request did not reserve
   * @throws IllegalStateException    if the reservation was not granted, this handle already committed or
   *                                  cancelled it, or another handle of it (see {@link #isRetry()}) already
   *                                  committed it: then this commit was not counted
   * @throws dev.limits.spi.StorageException if the counter failed: whether the commit took effect is unknown.
   *                                  Committing again with the same amounts is then safe and counts once;
   *                                  closing the handle leaves the reservation to such a retry or its expiry
   */
  void commit(Amounts actual);

  /**
   * Refunds everything reserved. Does nothing if the reservation was not granted, was already cancelled, or
   * was settled by another handle of it.
   *
   * @throws IllegalStateException if this handle already committed the reservation
   * @throws dev.limits.spi.StorageException if the counter failed; it is then refunded when it expires
   */
  void cancel();

  /**
   * Cancels the reservation unless this handle committed it or a commit attempt of this handle failed with a
   * storage error (the call ran: a retried commit counts it); never throws for a committed one.
   */
  @Override
  void close();
}
