package dev.limits.plans;

import dev.limits.Amounts;
import dev.limits.Decision;
import dev.limits.Reservation;
import dev.limits.plans.internal.Require;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A discount code redemption held by {@link AiGate#redeem}: both the total use and the user's use are
 * reserved; commit once the discount is applied, or cancel (close) to give the use back.
 *
 * <p>Thread-safe: commit, cancel and close may race, and exactly one of commit or cancel takes effect.
 *
 * @see AiGate#redeem(String, DiscountCode)
 */
public final class CodeRedemption implements AutoCloseable {

  private final Decision decision;
  private final List<Reservation> reservations;
  private int committed;
  private State state = State.OPEN;

  private enum State { OPEN, COMMITTED, CANCELLED }

  CodeRedemption(Decision decision, List<Reservation> reservations) {
    this.decision = decision;
    this.reservations = List.copyOf(reservations);
  }

  /** {@return the decision: allowed, forbidden (expired, 403) or a use limit reached (429)} */
  public Decision decision() {
    return decision;
  }

  /** {@return whether the code may be applied} */
  public boolean isGranted() {
    return decision.isAllowed();
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
   * Counts the use for good.
   *
   * @throws IllegalStateException if the redemption was not granted, or was already committed or cancelled
   * @throws dev.limits.spi.StorageException if the counter failed; committing again is then safe
   */
  public synchronized void commit() {
    Require.state(isGranted(), "a denied redemption cannot be committed: %s", decision);
    Require.state(state == State.OPEN, "redemption was already %s",
        state == State.COMMITTED ? "committed" : "cancelled");
    for (; committed < reservations.size(); committed++) {
      reservations.get(committed).commit(Amounts.none());
    }
    state = State.COMMITTED;
  }

  /**
   * Gives the use back. Does nothing if not granted or already cancelled.
   *
   * @throws IllegalStateException if the redemption was already committed
   */
  public synchronized void cancel() {
    Require.state(state != State.COMMITTED, "redemption was already committed");
    if (!isGranted() || state == State.CANCELLED) {
      return;
    }
    Require.state(committed == 0, "redemption was partly committed; commit it again");
    state = State.CANCELLED;
    AiPermit.cancelAll(reservations);
  }

  /** Cancels the redemption unless it was committed; never throws for a committed one. */
  @Override
  public synchronized void close() {
    if (state != State.OPEN || !isGranted() || committed > 0) {
      return;
    }
    state = State.CANCELLED;
    for (Reservation r : reservations) {
      r.close();
    }
  }

  @Override
  public String toString() {
    return "CodeRedemption[" + decision + "]";
  }
}
