package dev.limits;

import dev.limits.internal.Checks;
import dev.limits.internal.Evaluation;
import dev.limits.spi.ConsumeRequest;
import dev.limits.spi.ConsumeRequest.Mode;
import dev.limits.spi.ConsumeResult;
import dev.limits.spi.SettleRequest;
import dev.limits.spi.SettleResult;
import dev.limits.spi.StorageException;
import java.time.Instant;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link Reservation} a {@link Limiter#acquire} returns; its methods are synchronized. */
final class ReservationHandle implements Reservation {

  private static final Logger LOG = LoggerFactory.getLogger(Limiter.class);

  private final Limiter limiter;
  private final LimitPolicy policy;
  private final LimitRequest request;
  private final Evaluation evaluation;
  private final String id;
  private final Instant expiresAt;
  private final Decision decision;
  private final boolean granted;
  private final boolean retry;
  private final boolean reserved; // the store holds a reservation under id (granted, and something charged)
  private State state;
  // A commit attempt threw a StorageException: whether it settled is unknown until a retry asks the store.
  private boolean commitInDoubt;

  private enum State { OPEN, COMMITTED, CANCELLED }

  ReservationHandle(Limiter limiter, LimitPolicy policy, LimitRequest request, Evaluation evaluation, String id,
      Instant expiresAt, Decision decision, boolean reserved, boolean retry) {
    this.limiter = limiter;
    this.policy = policy;
    this.request = request;
    this.evaluation = evaluation;
    this.id = id;
    this.expiresAt = expiresAt;
    this.decision = decision;
    this.granted = decision.isAllowed();
    this.reserved = reserved;
    this.retry = retry;
    this.state = State.OPEN;
  }

  @Override
  public Decision decision() {
    return decision;
  }

  @Override
  public boolean isGranted() {
    return granted;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public Instant expiresAt() {
    return expiresAt;
  }

  @Override
  public boolean isRetry() {
    return retry;
  }

  @Override
  public synchronized void commit(Amounts actual) {
    Objects.requireNonNull(actual, "actual");
    Amounts estimated = request.amounts();
    for (int i = 0; i < actual.size(); i++) {
      Metric m = actual.metric(i);
      Checks.requireArgument(estimated.indexOf(m) >= 0,
          "metric '%s' was not reserved by request %s; reserve it with an estimate (0 is fine)", m.name(), id);
    }
    Checks.requireState(granted, "reservation %s was not granted: %s", id, decision);
    Checks.requireState(state == State.OPEN, "reservation %s was already %s", id,
        state == State.COMMITTED ? "committed" : "cancelled");
    if (reserved) {
      long[] finals = new long[evaluation.size];
      for (int j = 0; j < finals.length; j++) {
        int a = actual.indexOf(evaluation.quota(j).metric());
        finals[j] = a >= 0 ? actual.value(a) : evaluation.amount(j);
      }
      settle(finals);
    }
    state = State.COMMITTED;
    limiter.listener.onCommitted(policy, request, actual);
  }

  /**
   * Settles the reservation to {@code finals}, or counts them if it is gone; a commit is never dropped
   * without a word: it counts, or this throws.
   */
  private void settle(long[] finals) {
    Instant now = limiter.clock().instant();
    long millis = now.toEpochMilli();
    boolean retried = commitInDoubt;
    commitInDoubt = true; // until the store answers
    SettleResult settled = limiter.counter.settle(new SettleRequest(evaluation.subject, id, finals, millis));
    boolean counted;
    if (settled == SettleResult.NOT_FOUND || settled == SettleResult.CANCELLED) {
      // Expired and refunded, or cancelled by another handle of this reservation; but the call did happen:
      // count what it used, once, under an id of its own, in the periods it was reserved in.
      ConsumeResult.Status status = limiter.route.consume(evaluation.withAmounts(finals, now), Mode.FORCE,
          lateId(), millis + limiter.idempotencyRetention.toMillis()).status;
      // A duplicate is this handle's own attempt in doubt, or another handle's late commit.
      counted = status == ConsumeResult.Status.APPLIED || retried && status == ConsumeResult.Status.DUPLICATE;
    } else {
      // Already settled: by this handle's own attempt in doubt, or by another handle's commit.
      counted = settled == SettleResult.SETTLED || retried;
    }
    commitInDoubt = false;
    Checks.requireState(counted, "another handle of reservation %s (an acquire retried with its idempotency"
        + " key) already committed it; this commit was not counted again", id);
  }

  private String lateId() {
    return id.length() > ConsumeRequest.MAX_OPERATION_ID_LENGTH - 5 ? id.substring(0, 100) + ":late"
        : id + ":late";
  }

  @Override
  public synchronized void cancel() {
    Checks.requireState(state != State.COMMITTED, "reservation %s was already committed", id);
    if (!granted || state == State.CANCELLED) {
      return;
    }
    if (reserved) {
      limiter.counter.settle(new SettleRequest(evaluation.subject, id, new long[evaluation.size],
          limiter.clock().instant().toEpochMilli()));
    }
    state = State.CANCELLED;
  }

  @Override
  public synchronized void close() {
    if (state != State.OPEN || !granted || commitInDoubt) {
      return; // after a commit attempt in doubt, the call ran: leave it to a retried commit or the expiry
    }
    try {
      cancel();
    } catch (StorageException e) {
      LOG.warn("could not cancel reservation {}; it is refunded when it expires at {}: {}", id, expiresAt,
          e.toString());
    }
  }

  @Override
  public String toString() {
    return "Reservation[" + id + ", " + (granted ? state : "DENIED") + (retry ? ", retry" : "") + "]";
  }
}
