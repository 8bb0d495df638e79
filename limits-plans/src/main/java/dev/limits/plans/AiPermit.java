package dev.limits.plans;

import dev.limits.Amounts;
import dev.limits.Decision;
import dev.limits.Metric;
import dev.limits.Reservation;
import dev.limits.plans.internal.Require;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The answer of {@link AiGate#before}: a denial, or what was reserved for one AI call (its message, tokens,
 * cost, image generation and files), to settle after the call.
 *
 * <pre>{@code
 * try (AiPermit permit = gate.before(user, plan, call)) {
 *   if (!permit.isGranted()) return error(permit.decision());  // 403 or 429, with its message
 *   Reply reply = ai.chat(prompt, permit.maxTokens());           // throws: close() cancels, nothing counts
 *   permit.commit(AiUsage.of(reply.tokens()).withCost(reply.cost()).withImagesSaved(reply.saved()));
 * }
 * }</pre>
 *
 * <p>Committing settles tokens and cost to the actual amounts (an overrun is counted, not refused), counts
 * the image generation only if images were saved, and keeps the message and the files. Cancelling or closing
 * an uncommitted permit refunds everything. Thread-safe: commit, cancel and close may race, and exactly one
 * of commit or cancel takes effect.
 *
 * @see AiGate#before(String, Plan, AiCall)
 */
public final class AiPermit implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(AiPermit.class);

  private final Decision decision;
  private final List<Reservation> reservations;
  private final Set<Metric> reserved;
  private final Allowance maxTokens;
  private int committed;
  private boolean commitAttempted; // a commit threw: the call ran, so close() must not refund it
  private State state = State.OPEN;

  private enum State { OPEN, COMMITTED, CANCELLED }

  private AiPermit(Decision decision, List<Reservation> reservations, Set<Metric> reserved, Allowance maxTokens) {
    this.decision = decision;
    this.reservations = List.copyOf(reservations);
    this.reserved = Set.copyOf(reserved);
    this.maxTokens = maxTokens;
  }

  static AiPermit denied(Decision decision) {
    return new AiPermit(decision, List.of(), Set.of(), Allowance.unlimited());
  }

  static AiPermit granted(Decision decision, List<Reservation> reservations, Set<Metric> reserved,
      Allowance maxTokens) {
    return new AiPermit(decision, reservations, reserved, maxTokens);
  }

  /** {@return the deciding decision: the first denial in the plan's order, or the chat decision if granted} */
  public Decision decision() {
    return decision;
  }

  /** {@return whether the call may go ahead; false if the decision is a denial} */
  public boolean isGranted() {
    return decision.isAllowed();
  }

  /** {@return the HTTP status of the decision: 200, 403, 429 or 503} */
  public int httpStatus() {
    return decision.httpStatus();
  }

  /**
   * Returns the denial message in {@code locale}; empty if granted.
   *
   * @param locale the language of the message
   * @return the message, or empty if granted
   * @throws NullPointerException if {@code locale} is null
   */
  public Optional<String> message(Locale locale) {
    return decision.message(locale);
  }

  /**
   * {@return the most tokens the host should let the model produce: the plan's {@link Plan#maxTokensFree()} for
   * a free model; {@link Allowance#unlimited()} otherwise}
   */
  public Allowance maxTokens() {
    return maxTokens;
  }

  /**
   * Settles the call to what it actually used.
   *
   * @param used what the call used
   * @throws NullPointerException  if {@code used} is null
   * @throws IllegalStateException if the permit was not granted, or was already committed or cancelled
   * @throws dev.limits.spi.StorageException if the counter failed: whether the commit took effect is unknown.
   *                                         Committing again with the same usage is then safe and counts
   *                                         once; closing the permit leaves it to such a retry or to the
   *                                         expiry of its reservations
   */
  public synchronized void commit(AiUsage used) {
    Objects.requireNonNull(used, "used");
    Require.state(isGranted(), "a denied permit cannot be committed: %s", decision);
    Require.state(state == State.OPEN, "permit was already %s", state == State.COMMITTED ? "committed" : "cancelled");
    Amounts actual = Amounts.none();
    if (reserved.contains(PlanMetrics.IMAGES)) {
      actual = actual.and(PlanMetrics.IMAGES, used.imagesSaved() ? 1 : 0);
    }
    for (Metric tokens : List.of(PlanMetrics.TOKENS, PlanMetrics.MODEL_TOKENS, PlanMetrics.FREE_TOKENS)) {
      if (reserved.contains(tokens)) {
        actual = actual.and(tokens, used.tokens());
      }
    }
    if (reserved.contains(PlanMetrics.COST)) {
      actual = actual.and(PlanMetrics.COST, AiCall.micros(used.costUsd()));
    }
    commitAttempted = true;
    // The first reservation is the chat one; the others (files) settle at what they reserved.
    for (; committed < reservations.size(); committed++) {
      reservations.get(committed).commit(committed == 0 ? actual : Amounts.none());
    }
    state = State.COMMITTED;
  }

  /**
   * Refunds everything reserved: the call failed and counts nothing. Does nothing if the permit was not
   * granted or was already cancelled.
   *
   * @throws IllegalStateException if the permit was already committed
   * @throws dev.limits.spi.StorageException if the counter failed; the reservations are then refunded when
   *                                         they expire
   */
  public synchronized void cancel() {
    Require.state(state != State.COMMITTED, "permit was already committed");
    if (state == State.CANCELLED || !isGranted()) {
      return;
    }
    Require.state(committed == 0, "permit was partly committed; commit it again");
    state = State.CANCELLED;
    cancelAll(reservations);
  }

  /**
   * Cancels the permit unless it was committed or a commit was attempted (a failed commit means the call
   * ran: committing again counts it); never throws for a committed one.
   */
  @Override
  public synchronized void close() {
    if (state != State.OPEN || !isGranted() || committed > 0 || commitAttempted) {
      return;
    }
    state = State.CANCELLED;
    for (Reservation r : reservations) {
      r.close();
    }
  }

  /** Cancels every reservation, trying all even if one fails, and rethrows the first failure. */
  static void cancelAll(List<Reservation> reservations) {
    RuntimeException first = null;
    for (Reservation r : reservations) {
      try {
        r.cancel();
      } catch (RuntimeException e) {
        LOG.warn("could not cancel reservation {}; it is refunded when it expires: {}", r.id(), e.toString());
        if (first == null) {
          first = e;
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  @Override
  public String toString() {
    return "AiPermit[" + decision + ", " + (isGranted() ? state : "DENIED") + "]";
  }
}
