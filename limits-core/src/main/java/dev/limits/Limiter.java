package dev.limits;

import dev.limits.internal.Charges;
import dev.limits.internal.Checks;
import dev.limits.internal.ConsumeRoute;
import dev.limits.internal.Evaluation;
import dev.limits.internal.GuardedListener;
import dev.limits.internal.Tally;
import dev.limits.spi.ConsumeRequest;
import dev.limits.spi.ConsumeRequest.Mode;
import dev.limits.spi.ConsumeResult;
import dev.limits.spi.StorageException;
import dev.limits.spi.UsageCounter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The facade a host calls before and after an AI call: check, reserve, commit, report.
 *
 * <ul>
 *   <li>{@link #check} is a dry run: it counts nothing and reports every rule and quota that would deny;
 *   <li>{@link #acquire} atomically reserves the request's estimate across all windows of all its metrics,
 *       all or nothing, and returns a {@link Reservation} to commit with the actual amounts;
 *   <li>{@link #consume} counts a request's amounts at once, all or nothing, when they are known upfront;
 *   <li>{@link #usage} reports used, remaining and reset time of every quota, for a usage panel.
 * </ul>
 * A request may name budgets of other subjects besides its user's plan ({@link LimitRequest#alsoCharge}: a
 * team's monthly budget, an organisation's shared token pool): check, acquire, consume and tryConsume then
 * judge and count all of them in one operation, all or nothing.
 * A denial is a {@link Decision}, never an exception. When the counter fails, the limiter fails closed by
 * default (an {@link Decision.Outcome#UNAVAILABLE} decision) or, if so built, fails open (allows and logs);
 * {@link Decision#outcomeUnknown()} then tells whether the request may have been counted all the same.
 *
 * <p><b>Purging.</b> Ended periods, expired reservations (which are refunded then) and idempotency keys
 * past their retention are dropped by {@link #purge(int)}, and only by it: until then a reservation that
 * was never committed nor cancelled keeps holding its user's quota after its time to live. No store runs
 * it on a clock of its own: the in-memory counter purges now and then as a side effect of its traffic
 * (every few tens of thousands of operations), a database counter never. Have the limiter run it on a
 * schedule with {@link Builder#purgeEvery(Duration, ScheduledExecutorService)} (every minute, say, on an
 * executor you own), or call {@code purge} from a scheduler of your own; with several processes on one
 * database, one schedule in any of them is enough, and more are harmless.
 *
 * <p>Thread-safe: one limiter serves a whole application. Denials are logged at DEBUG, storage failures
 * and listener failures at WARN, on the {@code dev.limits.Limiter} logger.
 *
 * @see LimitPolicy
 * @see LimitRequest
 * @see UsageCounter
 */
public final class Limiter {

  private static final Logger LOG = LoggerFactory.getLogger(Limiter.class);

  /** The items one scheduled purge handles per call of {@link #purge(int)}. */
  private static final int PURGE_BATCH = 1_000;
  /** The most calls of {@link #purge(int)} in one scheduled run, so that it leaves the executor in time. */
  private static final int PURGE_BATCHES_PER_RUN = 100;

  final UsageCounter counter;
  final ConsumeRoute route; // how an evaluation reaches the counter, chosen once
  final GuardedListener listener;
  final Duration idempotencyRetention;
  private final Decisions decisions;
  private final PeriodClock clock;
  private final MessageCatalog messages;
  private final Duration reservationTtl;
  private final boolean failOpen;
  private final boolean quiet; // no listeners: tryConsume needs no decision

  private Limiter(Builder b) {
    this.counter = b.counter;
    this.route = ConsumeRoute.to(b.counter);
    this.clock = b.clock;
    this.messages = b.messages;
    this.listener = new GuardedListener(b.listeners);
    this.decisions = new Decisions(b.messages, b.warningThreshold);
    this.reservationTtl = b.reservationTtl;
    this.idempotencyRetention = b.idempotencyRetention;
    this.failOpen = b.failOpen;
    this.quiet = listener.isEmpty();
  }

  /**
   * Starts a limiter counting in {@code counter}.
   *
   * @param counter where usage is counted
   * @return a builder
   * @throws NullPointerException if {@code counter} is null
   */
  public static Builder builder(UsageCounter counter) {
    return new Builder(Objects.requireNonNull(counter, "counter"));
  }

  /** {@return the clock this limiter reads} */
  public PeriodClock clock() {
    return clock;
  }

  /** {@return the messages its decisions render} */
  public MessageCatalog messages() {
    return messages;
  }

  /**
   * Checks {@code request} against {@code policy} (and its {@linkplain LimitRequest#alsoCharge budgets}
   * against theirs) without counting anything, and reports every rule and quota that would deny it (the
   * first in evaluation order being {@link Decision#denial()}).
   *
   * @param policy  the policy to apply
   * @param request the request
   * @return the decision, with every denial
   * @throws NullPointerException     if an argument is null
   * @throws IllegalArgumentException if the request names a metric the policy does not know, or one a
   *                                  budget's policy knows with other units
   */
  public Decision check(LimitPolicy policy, LimitRequest request) {
    Evaluation e = Evaluator.evaluate(policy, request, clock.instant());
    Tally tally = null;
    if (e.size > 0) {
      try {
        tally = route.consume(e, Mode.CHECK, null, 0);
      } catch (StorageException ex) {
        return unavailable(policy, request, e.now, e.zone, ex);
      }
    }
    return decisions.decide(e, tally, true);
  }

  /**
   * Reserves the request's estimated amounts, atomically across all windows of all its metrics (and of all
   * its {@linkplain LimitRequest#alsoCharge budgets}): either all of them are reserved or, if any rule or
   * quota denies, none is. Commit the reservation after the AI call, or cancel it (closing it cancels an
   * uncommitted one). With an idempotency key, a retried acquire reserves once and returns another handle
   * on the same reservation, marked {@link Reservation#isRetry()}; the first commit or cancel of any handle
   * settles it.
   *
   * @param policy  the policy to apply
   * @param request the request, with its estimated amounts
   * @return the reservation; see {@link Reservation#isGranted()}
   * @throws NullPointerException     if an argument is null
   * @throws IllegalArgumentException if the request names a metric the policy does not know (or one a
   *                                  budget's policy knows with other units), or its idempotency key was
   *                                  first used for a different request (other amounts, metrics, budgets or
   *                                  kind of call); then nothing was reserved or changed
   */
  public Reservation acquire(LimitPolicy policy, LimitRequest request) {
    Evaluation e = Evaluator.evaluate(policy, request, clock.instant());
    String key = request.idempotencyKey();
    String id = key != null ? key : newId();
    Instant expiresAt = e.now.plus(reservationTtl);
    Tally tally = null;
    if (e.forbidden.isEmpty() && e.size > 0) {
      try {
        tally = requireSameRequest(route.consume(e, Mode.RESERVE, id, expiresAt.toEpochMilli()), id);
      } catch (StorageException ex) {
        Decision d = unavailable(policy, request, e.now, e.zone, ex);
        return new ReservationHandle(this, policy, request, e, id, expiresAt, d, false, false);
      }
    }
    Decision d = told(policy, request, decisions.decide(e, tally, false));
    return new ReservationHandle(this, policy, request, e, id, expiresAt, d, tally != null && tally.isApplied(),
        tally != null && tally.status == ConsumeResult.Status.DUPLICATE);
  }

  /**
   * Counts the request's amounts now, atomically across all windows of all its metrics (and of all its
   * {@linkplain LimitRequest#alsoCharge budgets}), if every rule and quota allows it. With an idempotency
   * key, a retried consume counts once.
   *
   * @param policy  the policy to apply
   * @param request the request, with its amounts
   * @return the decision
   * @throws NullPointerException     if an argument is null
   * @throws IllegalArgumentException if the request names a metric the policy does not know (or one a
   *                                  budget's policy knows with other units), or its idempotency key was
   *                                  first used for a different request (other amounts, metrics, budgets or
   *                                  kind of call); then nothing was counted
   */
  public Decision consume(LimitPolicy policy, LimitRequest request) {
    return consume(policy, request, false);
  }

  /** {@link #consume}; with {@code throwIfClosed}, a storage failure that denies throws instead. */
  private Decision consume(LimitPolicy policy, LimitRequest request, boolean throwIfClosed) {
    Evaluation e = Evaluator.evaluate(policy, request, clock.instant());
    Tally tally = null;
    if (e.forbidden.isEmpty() && e.size > 0) {
      String id = request.idempotencyKey();
      long expiresAt = id == null ? 0 : e.now.plus(idempotencyRetention).toEpochMilli();
      try {
        tally = requireSameRequest(route.consume(e, Mode.ENFORCE, id, expiresAt), id);
      } catch (StorageException ex) {
        Decision d = unavailable(policy, request, e.now, e.zone, ex);
        if (throwIfClosed && !d.isAllowed()) {
          throw ex;
        }
        return d;
      }
    }
    return told(policy, request, decisions.decide(e, tally, false));
  }

  /**
   * {@link #consume}, answering only whether the request was allowed: the same rules, the same atomic
   * count, but no {@link Decision} (so no denial message, usage or warnings). On the in-memory counter, for
   * a policy without access rules whose quotas all count one metric (messages over six windows, say), a
   * call of one subject without an idempotency key allocates nothing. When the limiter has listeners, they
   * are told as by {@code consume}. A failed counter is not a plain {@code false}: a limiter that fails
   * closed throws the counter's {@link StorageException} (after logging it and telling the listeners, as
   * {@code consume} does), so that a denial (false: answer 429 or 403) and an outage (answer 503) stay
   * apart; one that fails open answers true.
   *
   * @param policy  the policy to apply
   * @param request the request, with its amounts
   * @return whether every rule and quota allowed the request and its amounts were counted
   * @throws NullPointerException     if an argument is null
   * @throws IllegalArgumentException if the request names a metric the policy does not know (or one a
   *                                  budget's policy knows with other units), or its idempotency key was
   *                                  first used for a different request
   * @throws StorageException         if the counter failed and the limiter fails closed; its
   *                                  {@link StorageException#outcomeUnknown()} tells whether the request
   *                                  may have been counted
   */
  public boolean tryConsume(LimitPolicy policy, LimitRequest request) {
    if (!quiet || Objects.requireNonNull(request, "request").idempotencyKey() != null
        || !request.budgets().isEmpty()) {
      return consume(policy, request, true).isAllowed(); // a decision for the listeners, or the store's checks
    }
    // An evaluation without its object: the charges and the access denials, which is all a yes or no needs.
    Instant now = clock.instant();
    Charges charges = Evaluator.charges(policy, request, now);
    boolean counted;
    if (!Evaluator.judge(policy, request, now).isEmpty()) {
      counted = false;
    } else if (charges.size == 0) {
      return true;
    } else {
      try {
        counted = route.enforce(request.subject(), charges, now.toEpochMilli());
      } catch (StorageException ex) {
        if (unavailable(policy, request, now, Evaluator.zone(policy, request), ex).isAllowed()) {
          return true;
        }
        throw ex;
      }
    }
    if (!counted) {
      LOG.debug("denied {} under policy '{}' (tryConsume: no decision built)", request.subject(), policy.name());
    }
    return counted;
  }

  /**
   * Reports the usage of every quota of {@code policy} for {@code subject}, in the policy's zone.
   *
   * @param policy  the policy whose quotas are reported
   * @param subject who is counted
   * @return the usage of each quota, in the policy's order
   * @throws NullPointerException     if an argument is null
   * @throws IllegalArgumentException if {@code subject} is malformed
   * @throws StorageException         if the counter failed
   */
  public UsageReport usage(LimitPolicy policy, String subject) {
    return usage(policy, subject, policy.zone());
  }

  /**
   * Reports the usage of every quota of {@code policy} for {@code subject}, with calendar windows in
   * {@code zone}.
   *
   * @param policy  the policy whose quotas are reported
   * @param subject who is counted
   * @param zone    the zone of calendar windows
   * @return the usage of each quota, in the policy's order
   * @throws NullPointerException     if an argument is null
   * @throws IllegalArgumentException if {@code subject} is malformed
   * @throws StorageException         if the counter failed
   */
  public UsageReport usage(LimitPolicy policy, String subject, ZoneId zone) {
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(zone, "zone");
    ConsumeRequest.requireSubject(subject);
    Instant now = clock.instant();
    Evaluation e = Evaluator.usage(policy, subject, zone, now);
    if (e.size == 0) {
      return new UsageReport(subject, now, List.of());
    }
    return new UsageReport(subject, now, decisions.usage(e, route.consume(e, Mode.CHECK, null, 0)));
  }

  /**
   * Purges the counter: drops ended periods, refunds expired reservations, forgets old idempotency keys.
   * Call it on a schedule (every minute, say), or let the limiter do so: see
   * {@link Builder#purgeEvery(Duration, ScheduledExecutorService)}.
   *
   * @param maxItems the most items to handle in this call, at least 1
   * @return how many items were handled
   * @throws IllegalArgumentException if {@code maxItems} is less than 1
   * @throws StorageException         if the counter failed
   */
  public int purge(int maxItems) {
    return counter.purge(clock.instant().toEpochMilli(), maxItems);
  }

  /**
   * One run of the scheduled purge: batches until one comes up short, or {@link #PURGE_BATCHES_PER_RUN}.
   * Never throws, so that the schedule goes on after a failure.
   */
  private void purgeScheduled(Duration interval) {
    try {
      for (int i = 0; i < PURGE_BATCHES_PER_RUN; i++) {
        if (purge(PURGE_BATCH) < PURGE_BATCH) {
          return;
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("scheduled purge failed; it runs again in {}: {}", interval, e.toString());
    }
  }

  /**
   * Returns {@code tally} unless the store answered that idempotency key {@code key} was first used for a
   * different request: counting it as a retry would keep the first request's amounts without a word.
   */
  private static Tally requireSameRequest(Tally tally, @Nullable String key) {
    if (tally.status == ConsumeResult.Status.MISMATCH) {
      throw new IllegalArgumentException("idempotency key '" + key + "' was first used for a different request"
          + " (other amounts, metrics, budgets or kind of call); nothing was counted: use a new key for a new"
          + " request");
    }
    return tally;
  }

  /** Logs a denial and tells the listeners of {@code d}; returns it. */
  private Decision told(LimitPolicy policy, LimitRequest request, Decision d) {
    if (d.isAllowed()) {
      listener.onAllowed(policy, request, d);
      List<Warning> warnings = d.warnings();
      for (int i = 0; i < warnings.size(); i++) {
        listener.onWarning(policy, request, warnings.get(i));
      }
      return d;
    }
    if (LOG.isDebugEnabled()) {
      Denial first = d.denials().get(0);
      LOG.debug("denied {} under policy '{}' by {} of {}: used {} of {}, requested {}", request.subject(),
          policy.name(), first.ruleId(), first.subject(), first.used(), first.limit(), first.requested());
    }
    listener.onDenied(policy, request, d);
    return d;
  }

  /** Logs the counter's failure and decides as the limiter fails: open or closed. */
  private Decision unavailable(LimitPolicy policy, LimitRequest request, Instant now, ZoneId zone,
      StorageException ex) {
    LOG.warn(failOpen ? "usage counter failed, allowing {} (fail-open): {}"
        : "usage counter failed, denying {} (fail-closed): {}", request.subject(), ex.toString());
    return told(policy, request, decisions.unavailable(request.subject(), now, zone, failOpen,
        ex.outcomeUnknown()));
  }

  private static String newId() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return "r-" + Long.toHexString(r.nextLong()) + Long.toHexString(r.nextLong());
  }

  /**
   * Builds a {@link Limiter}. Each setter checks its argument at once. Not thread-safe.
   */
  public static final class Builder {
    private final UsageCounter counter;
    private PeriodClock clock = PeriodClock.system();
    private MessageCatalog messages = MessageCatalog.defaults();
    private final List<LimitListener> listeners = new ArrayList<>();
    private double warningThreshold = 0.8;
    private Duration reservationTtl = Duration.ofMinutes(10);
    private Duration idempotencyRetention = Duration.ofHours(24);
    private boolean failOpen;
    private @Nullable Duration purgeInterval;
    private @Nullable ScheduledExecutorService purgeExecutor;

    private Builder(UsageCounter counter) {
      this.counter = counter;
    }

    /**
     * Sets the clock (default: the system clock).
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(PeriodClock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Sets the message templates (default: {@link MessageCatalog#defaults()}).
     *
     * @param messages the catalog
     * @return this builder
     */
    public Builder messages(MessageCatalog messages) {
      this.messages = Objects.requireNonNull(messages, "messages");
      return this;
    }

    /**
     * Adds a listener; its exceptions are logged, never thrown.
     *
     * @param listener the listener
     * @return this builder
     */
    public Builder listener(LimitListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Sets the share of a limit at which allowed decisions carry a warning (default 0.8).
     *
     * @param threshold the share, greater than 0 and at most 1
     * @return this builder
     * @throws IllegalArgumentException unless {@code 0 < threshold <= 1}
     */
    public Builder warningThreshold(double threshold) {
      Checks.requireArgument(threshold > 0 && threshold <= 1, "warning threshold must be in (0, 1], got %s",
          threshold);
      this.warningThreshold = threshold;
      return this;
    }

    /**
     * Sets how long a reservation lives before it is refunded unless committed (default 10 minutes).
     *
     * @param ttl the reservation lifetime
     * @return this builder
     * @throws IllegalArgumentException unless it is positive and at most one day
     */
    public Builder reservationTtl(Duration ttl) {
      Objects.requireNonNull(ttl, "ttl");
      Checks.requireArgument(!ttl.isNegative() && !ttl.isZero() && ttl.compareTo(Duration.ofDays(1)) <= 0,
          "reservation ttl must be positive and at most one day, got %s", ttl);
      this.reservationTtl = ttl;
      return this;
    }

    /**
     * Sets how long idempotency keys of {@link Limiter#consume} are remembered (default 24 hours).
     *
     * @param retention how long keys are remembered
     * @return this builder
     * @throws IllegalArgumentException unless it is positive and at most 30 days
     */
    public Builder idempotencyRetention(Duration retention) {
      Objects.requireNonNull(retention, "retention");
      Checks.requireArgument(!retention.isNegative() && !retention.isZero()
          && retention.compareTo(Duration.ofDays(30)) <= 0,
          "idempotency retention must be positive and at most 30 days, got %s", retention);
      this.idempotencyRetention = retention;
      return this;
    }

    /**
     * Whether to allow requests when the counter fails (default false: deny with
     * {@link Decision.Outcome#UNAVAILABLE}).
     *
     * @param failOpen true to allow, false to deny
     * @return this builder
     */
    public Builder failOpen(boolean failOpen) {
      this.failOpen = failOpen;
      return this;
    }

    /**
     * Has the limiter {@linkplain Limiter#purge(int) purge} its counter every {@code interval} on
     * {@code executor}, at the limiter's clock: ended periods are dropped, expired reservations refunded,
     * old idempotency keys forgotten. Each run purges in batches until nothing is left (or a bounded amount
     * of work is done, the rest waiting for the next run). A failed run is logged at WARN and the schedule
     * goes on. The executor is yours: the limiter only schedules on it, at {@link #build()}, and never
     * shuts it down; shut it down to stop the purging (a thread or two serve any number of limiters).
     * Without this, nothing purges on a schedule (see {@link Limiter}).
     *
     * @param interval the time between the end of a run and the start of the next, positive and at most
     *                 one day
     * @param executor where the runs take place
     * @return this builder
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException unless {@code interval} is positive and at most one day
     */
    public Builder purgeEvery(Duration interval, ScheduledExecutorService executor) {
      Objects.requireNonNull(interval, "interval");
      Objects.requireNonNull(executor, "executor");
      Checks.requireArgument(!interval.isNegative() && !interval.isZero()
          && interval.compareTo(Duration.ofDays(1)) <= 0,
          "purge interval must be positive and at most one day, got %s", interval);
      this.purgeInterval = interval;
      this.purgeExecutor = executor;
      return this;
    }

    /**
     * Builds the limiter, and schedules its purge if {@link #purgeEvery} was set.
     *
     * @return the limiter
     * @throws java.util.concurrent.RejectedExecutionException if the purge executor refuses the schedule
     *                                                         (it was shut down)
     */
    public Limiter build() {
      Limiter limiter = new Limiter(this);
      Duration interval = purgeInterval;
      ScheduledExecutorService executor = purgeExecutor;
      if (interval != null && executor != null) {
        long nanos = interval.toNanos();
        executor.scheduleWithFixedDelay(() -> limiter.purgeScheduled(interval), nanos, nanos,
            TimeUnit.NANOSECONDS);
      }
      return limiter;
    }
  }
}
