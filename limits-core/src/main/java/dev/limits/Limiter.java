package dev.limits;

import dev.limits.internal.Checks;
import dev.limits.internal.GuardedListener;
import dev.limits.internal.InMemoryUsageCounter;
import dev.limits.internal.PeriodCache;
import dev.limits.spi.Charge;
import dev.limits.spi.ConsumeRequest;
import dev.limits.spi.ConsumeRequest.Mode;
import dev.limits.spi.ConsumeResult;
import dev.limits.spi.SettleRequest;
import dev.limits.spi.SettleResult;
import dev.limits.spi.Slot;
import dev.limits.spi.StorageException;
import dev.limits.spi.UsageCounter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
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

  private final UsageCounter counter;
  private final @Nullable InMemoryUsageCounter memory; // the counter, when consume can take the fast path
  private final PeriodClock clock;
  private final MessageCatalog messages;
  private final GuardedListener listener;
  private final double warningThreshold;
  private final Duration reservationTtl;
  private final Duration idempotencyRetention;
  private final boolean failOpen;
  private final boolean quiet; // no listeners: tryConsume needs no decision

  private Limiter(Builder b) {
    this.counter = b.counter;
    this.memory = b.counter instanceof InMemoryUsageCounter ? (InMemoryUsageCounter) b.counter : null;
    this.clock = b.clock;
    this.messages = b.messages;
    this.listener = new GuardedListener(b.listeners);
    this.warningThreshold = b.warningThreshold;
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
   * Checks {@code request} against {@code policy} without counting anything, and reports every rule and
   * quota that would deny it (the first in evaluation order being {@link Decision#denial()}).
   *
   * @param policy  the policy to apply
   * @param request the request
   * @return the decision, with every denial
   * @throws NullPointerException     if an argument is null
   * @throws IllegalArgumentException if the request names a metric the policy does not know
   */
  public Decision check(LimitPolicy policy, LimitRequest request) {
    Evaluation e = evaluate(policy, request);
    List<Denial> denials = new ArrayList<>(e.forbidden);
    List<QuotaUsage> usage = new ArrayList<>();
    if (!e.charges.isEmpty()) {
      ConsumeResult result;
      try {
        result = counter.consume(e.request(Mode.CHECK, null, 0));
      } catch (StorageException ex) {
        return unavailable(e, ex);
      }
      for (int i = 0; i < e.charges.size(); i++) {
        usage.add(e.usage(i, result.used(i)));
        if (!result.fits(i)) {
          denials.add(e.quotaDenial(i, result.used(i)));
        }
      }
    }
    List<Warning> warnings = List.of();
    if (denials.isEmpty()) {
      for (int i = 0; i < usage.size(); i++) {
        QuotaUsage after = e.usage(i, Checks.saturatedAdd(usage.get(i).used(), e.charges.get(i).amount()));
        warnings = warn(after, warnings);
      }
    }
    return e.decision(denials, usage, warnings);
  }

  /**
   * Reserves the request's estimated amounts, atomically across all windows of all its metrics: either
   * all of them are reserved or, if any rule or quota denies, none is. Commit the reservation after the
   * AI call, or cancel it (closing it cancels an uncommitted one). With an idempotency key, a retried
   * acquire reserves once and returns another handle on the same reservation, marked
   * {@link Reservation#isRetry()}; the first commit or cancel of any handle settles it.
   *
   * @param policy  the policy to apply
   * @param request the request, with its estimated amounts
   * @return the reservation; see {@link Reservation#isGranted()}
   * @throws NullPointerException     if an argument is null
   * @throws IllegalArgumentException if the request names a metric the policy does not know, or its
   *                                  idempotency key was first used for a different request (other amounts,
   *                                  metrics or kind of call); then nothing was reserved or changed
   */
  public Reservation acquire(LimitPolicy policy, LimitRequest request) {
    Evaluation e = evaluate(policy, request);
    String id = request.idempotencyKey() != null ? request.idempotencyKey() : newId();
    Instant expiresAt = e.now.plus(reservationTtl);
    if (!e.forbidden.isEmpty()) {
      return new Handle(this, e, id, expiresAt, denied(e, e.forbidden, List.of()), false);
    }
    if (e.charges.isEmpty()) {
      return new Handle(this, e, id, expiresAt, allowed(e, List.of(), List.of()), true);
    }
    ConsumeResult result;
    try {
      result = counter.consume(e.request(Mode.RESERVE, id, expiresAt.toEpochMilli()));
    } catch (StorageException ex) {
      Decision d = unavailable(e, ex);
      return new Handle(this, e, id, expiresAt, d, d.isAllowed());
    }
    Decision d = fromResult(e, requireSameRequest(result, id));
    return new Handle(this, e, id, expiresAt, d, d.isAllowed(), result.status() == ConsumeResult.Status.DUPLICATE);
  }

  /**
   * Counts the request's amounts now, atomically across all windows of all its metrics, if every rule and
   * quota allows it. With an idempotency key, a retried consume counts once.
   *
   * @param policy  the policy to apply
   * @param request the request, with its amounts
   * @return the decision
   * @throws NullPointerException     if an argument is null
   * @throws IllegalArgumentException if the request names a metric the policy does not know, or its
   *                                  idempotency key was first used for a different request (other amounts,
   *                                  metrics or kind of call); then nothing was counted
   */
  public Decision consume(LimitPolicy policy, LimitRequest request) {
    return consume(policy, request, false);
  }

  /** {@link #consume}; with {@code throwIfClosed}, a storage failure that denies throws instead. */
  private Decision consume(LimitPolicy policy, LimitRequest request, boolean throwIfClosed) {
    InMemoryUsageCounter memory = this.memory;
    if (memory != null && Objects.requireNonNull(request, "request").idempotencyKey() == null) {
      Decision d = consumeInMemory(policy, request, memory);
      if (d != null) {
        return d;
      }
    }
    Evaluation e = evaluate(policy, request);
    if (!e.forbidden.isEmpty()) {
      return denied(e, e.forbidden, List.of());
    }
    if (e.charges.isEmpty()) {
      return allowed(e, List.of(), List.of());
    }
    try {
      String id = request.idempotencyKey();
      long expiresAt = id == null ? 0 : e.now.plus(idempotencyRetention).toEpochMilli();
      return fromResult(e, requireSameRequest(counter.consume(e.request(Mode.ENFORCE, id, expiresAt)), id));
    } catch (StorageException ex) {
      Decision d = unavailable(e, ex);
      if (throwIfClosed && !d.isAllowed()) {
        throw ex;
      }
      return d;
    }
  }

  /**
   * {@link #consume}, answering only whether the request was allowed: the same rules, the same atomic
   * count, but no {@link Decision} (so no denial message, usage or warnings). On the in-memory counter,
   * for a policy without access rules whose quotas all count one metric (messages over six windows, say),
   * a call without an idempotency key allocates nothing; otherwise, or when the limiter has listeners
   * (they are told as by {@code consume}), it is {@code consume(policy, request).isAllowed()}, except that
   * a failed counter is not a plain {@code false}: a limiter that fails closed throws the counter's
   * {@link StorageException} (after logging it and telling the listeners, as {@code consume} does), so that
   * a denial (false: answer 429 or 403) and an outage (answer 503) stay apart; one that fails open answers
   * true.
   *
   * @param policy  the policy to apply
   * @param request the request, with its amounts
   * @return whether every rule and quota allowed the request and its amounts were counted
   * @throws NullPointerException     if an argument is null
   * @throws IllegalArgumentException if the request names a metric the policy does not know, or its
   *                                  idempotency key was first used for a different request
   * @throws StorageException         if the counter failed and the limiter fails closed; its
   *                                  {@link StorageException#outcomeUnknown()} tells whether the request
   *                                  may have been counted
   */
  public boolean tryConsume(LimitPolicy policy, LimitRequest request) {
    InMemoryUsageCounter memory = this.memory;
    Metric metric = Objects.requireNonNull(policy, "policy").plainMetric();
    if (memory != null && metric != null && quiet
        && Objects.requireNonNull(request, "request").idempotencyKey() == null) {
      Amounts amounts = request.amounts();
      int entry = amounts.size() == 1 && amounts.metric(0) == metric ? 0 : -1;
      if (entry < 0) {
        requireKnownMetrics(policy, request);
        entry = amounts.indexOf(metric);
      }
      if (entry >= 0) {
        Instant now = clock.instant();
        ZoneId zone = request.zone() != null ? request.zone() : policy.zone();
        long millis = now.toEpochMilli();
        PeriodCache cache = policy.periods();
        if (memory.tryEnforce(request.subject(), cache.keyIds(), cache.frame(now, millis, zone),
            cache.limits(), amounts.value(entry), millis)) {
          return true;
        }
        LOG.debug("denied {} under policy '{}' (tryConsume: no decision built)", request.subject(),
            policy.name());
        return false;
      }
    }
    return consume(policy, request, true).isAllowed();
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
    List<Quota> quotas = policy.quotas();
    if (quotas.isEmpty()) {
      return new UsageReport(subject, now, List.of());
    }
    PeriodCache.Frame frame = policy.periods().frame(now, zone);
    List<Charge> charges = new ArrayList<>(quotas.size());
    for (int i = 0; i < quotas.size(); i++) {
      charges.add(new Charge(frame.slot(i), quotas.get(i).limit(), 0));
    }
    ConsumeResult result =
        counter.consume(new ConsumeRequest(subject, charges, Mode.CHECK, null, 0, now.toEpochMilli()));
    List<QuotaUsage> usage = new ArrayList<>(quotas.size());
    for (int i = 0; i < quotas.size(); i++) {
      usage.add(new QuotaUsage(quotas.get(i), result.used(i), frame.period(i)));
    }
    return new UsageReport(subject, now, usage);
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
   * {@link #consume} on the in-memory counter, from the policy's precompiled frame: no charges, no
   * {@link ConsumeRequest}, no result object, and an allowed decision that builds its usage list only if
   * asked. Returns null when the general path must answer: an access rule denies, or nothing is charged.
   */
  private @Nullable Decision consumeInMemory(LimitPolicy policy, LimitRequest request,
      InMemoryUsageCounter memory) {
    Amounts amounts = requireKnownMetrics(policy, request);
    Instant now = clock.instant();
    List<AccessRule> rules = policy.rules();
    for (int i = 0; i < rules.size(); i++) {
      if (judge(rules.get(i), request, now) != null) {
        return null;
      }
    }
    ZoneId zone = request.zone() != null ? request.zone() : policy.zone();
    PeriodCache cache = policy.periods();
    long millis = now.toEpochMilli();
    PeriodCache.Frame frame = cache.frame(now, millis, zone);
    List<Quota> quotas = policy.quotas();
    int size = quotas.size();
    long[] charged = new long[size]; // trimmed to the charges below unless they are all the quotas
    int[] index = null; // quota positions of the charges, unless they are the quotas 0 to n - 1
    int n = 0;
    Metric shared = cache.sharedMetric();
    if (shared != null) {
      // Every quota counts this one metric for every model: all of them are charged its amount, if any.
      int entry = amounts.indexOf(shared);
      if (entry >= 0) {
        Arrays.fill(charged, amounts.value(entry));
        n = size;
      }
    } else {
      Metric metric = null;
      int entry = -1;
      for (int i = 0; i < size; i++) {
        Quota q = quotas.get(i);
        if (q.metric() != metric) {
          metric = q.metric();
          entry = amounts.indexOf(metric);
        }
        if (entry >= 0 && q.appliesTo(request.model())) {
          if (index == null && n != i) {
            index = new int[size];
            for (int k = 0; k < n; k++) {
              index[k] = k;
            }
          }
          if (index != null) {
            index[n] = i;
          }
          charged[n++] = amounts.value(entry);
        }
      }
    }
    if (n == 0) {
      return null;
    }
    int[] keyIds = cache.keyIds();
    Slot[] slots = frame.slots();
    long[] limits = cache.limits();
    long[] levels = cache.warningLevels(warningThreshold);
    if (index != null) {
      int[] k = new int[n];
      Slot[] s = new Slot[n];
      long[] l = new long[n];
      long[] w = new long[n];
      for (int j = 0; j < n; j++) {
        k[j] = keyIds[index[j]];
        s[j] = slots[index[j]];
        l[j] = limits[index[j]];
        w[j] = levels[index[j]];
      }
      keyIds = k;
      slots = s;
      limits = l;
      levels = w;
    }
    long[] used = charged; // in: the amounts; out: the usage after them
    if (!memory.enforce(request.subject(), index == null ? frame : null, keyIds, slots, limits, used, n,
        millis)) {
      // Denied: a decision that builds its usage and denials, as fromResult would, only if asked.
      long[] usedThenRequested = Arrays.copyOf(used, 2 * n);
      for (int j = 0; j < n; j++) {
        int k = index == null ? j : index[j];
        usedThenRequested[n + j] = amounts.value(amounts.indexOf(quotas.get(k).metric()));
      }
      Decision d = new Decision(now, messages, zone, quotas, frame.periods(), index, usedThenRequested);
      reportDenied(policy, request, d);
      return d;
    }
    List<Warning> warnings = List.of();
    for (int j = 0; j < n; j++) {
      if (limits[j] > 0 && used[j] >= levels[j]) { // used >= warningThreshold * limit, as warn() has it
        int k = index == null ? j : index[j];
        warnings = warn(new QuotaUsage(quotas.get(k), used[j], frame.period(k)), warnings);
      }
    }
    Decision d = new Decision(now, List.copyOf(warnings), messages, zone, quotas, frame.periods(), index,
        n == used.length ? used : Arrays.copyOf(used, n));
    notifyAllowed(policy, request, d);
    return d;
  }

  /** Checks that every metric of {@code request} is one of {@code policy}'s, and returns the amounts. */
  private static Amounts requireKnownMetrics(LimitPolicy policy, LimitRequest request) {
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(request, "request");
    Amounts amounts = request.amounts();
    for (int i = 0; i < amounts.size(); i++) {
      Metric m = amounts.metric(i);
      if (policy.knowsInstance(m)) {
        continue;
      }
      Metric known = policy.metrics().get(m.name());
      if (m != known && !m.equals(known)) {
        throw new IllegalArgumentException(known == null
            ? "unknown metric '" + m.name() + "' for policy '" + policy.name() + "'; known: "
                + policy.metrics().keySet()
            : "metric '" + m.name() + "' has other units in policy '" + policy.name() + "': " + known);
      }
    }
    return amounts;
  }

  private Evaluation evaluate(LimitPolicy policy, LimitRequest request) {
    Amounts amounts = requireKnownMetrics(policy, request);
    Instant now = clock.instant();
    ZoneId zone = request.zone() != null ? request.zone() : policy.zone();
    List<Quota> quotas = policy.quotas();
    Evaluation e = new Evaluation(policy, request, now, zone, quotas.size());
    List<AccessRule> rules = policy.rules();
    for (int i = 0; i < rules.size(); i++) {
      Denial d = judge(rules.get(i), request, now);
      if (d != null) {
        if (e.forbidden.isEmpty()) {
          e.forbidden = new ArrayList<>(rules.size());
        }
        e.forbidden.add(d);
      }
    }
    // Windows of one metric are usually declared together: look its amount up once, not once per window.
    Metric metric = null;
    int entry = -1;
    PeriodCache.Frame frame = null;
    for (int i = 0; i < quotas.size(); i++) {
      Quota q = quotas.get(i);
      if (q.metric() != metric) {
        metric = q.metric();
        entry = amounts.indexOf(metric);
      }
      if (entry >= 0 && q.appliesTo(request.model())) {
        if (frame == null) {
          frame = policy.periods().frame(now, zone);
        }
        e.quotas.add(q);
        e.periods.add(frame.period(i));
        e.charges.add(policy.periods().charge(i, frame.slot(i), q.limit(), amounts.value(entry)));
      }
    }
    return e;
  }

  private static @Nullable Denial judge(AccessRule rule, LimitRequest request, Instant now) {
    if (rule instanceof AccessRule.Validity) {
      AccessRule.Validity v = (AccessRule.Validity) rule;
      return v.isValidAt(now) ? null : forbidden(rule, 0, 0, null);
    } else if (rule instanceof AccessRule.AllowedModels) {
      String model = request.model();
      return model == null || ((AccessRule.AllowedModels) rule).models().contains(model) ? null
          : forbidden(rule, 0, 0, model);
    } else if (rule instanceof AccessRule.MaxFileSize) {
      long max = ((AccessRule.MaxFileSize) rule).maxBytes();
      long size = request.fileSize().orElse(-1);
      return size <= max ? null : forbidden(rule, max, size, Long.toString(size));
    } else {
      String ext = request.fileExtension();
      return ext == null || ((AccessRule.AllowedExtensions) rule).allows(ext) ? null
          : forbidden(rule, 0, 0, ext.startsWith(".") ? ext.substring(1) : ext);
    }
  }

  private static Denial forbidden(AccessRule rule, long limit, long used, @Nullable String detail) {
    return new Denial(Decision.Outcome.FORBIDDEN, rule.reason(), rule.id(), null, limit, used, 0, null, detail);
  }

  /**
   * Returns {@code result} unless the store answered that idempotency key {@code key} was first used for a
   * different request: counting it as a retry would keep the first request's amounts without a word.
   */
  private static ConsumeResult requireSameRequest(ConsumeResult result, @Nullable String key) {
    if (result.status() == ConsumeResult.Status.MISMATCH) {
      throw new IllegalArgumentException("idempotency key '" + key + "' was first used for a different request"
          + " (other amounts, metrics or kind of call); nothing was counted: use a new key for a new request");
    }
    return result;
  }

  private Decision fromResult(Evaluation e, ConsumeResult result) {
    int n = e.charges.size();
    if (!result.isApplied()) {
      List<QuotaUsage> usage = new ArrayList<>(n);
      List<Denial> denials = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        usage.add(e.usage(i, result.used(i)));
        if (!result.fits(i)) {
          denials.add(e.quotaDenial(i, result.used(i)));
        }
      }
      return denied(e, denials, usage);
    }
    // The allowed path: immutable lists built once (the decision keeps them as they are), and no list for
    // warnings unless there is one.
    QuotaUsage[] usage = new QuotaUsage[n];
    List<Warning> warnings = List.of();
    for (int i = 0; i < n; i++) {
      usage[i] = e.usage(i, result.used(i));
      warnings = warn(usage[i], warnings);
    }
    return allowed(e, List.of(usage), warnings);
  }

  /** Returns {@code warnings}, or a mutable copy with a warning added if {@code usage} deserves one. */
  private List<Warning> warn(QuotaUsage usage, List<Warning> warnings) {
    if (usage.limit() > 0 && usage.used() >= warningThreshold * usage.limit()) {
      List<Warning> more = warnings.isEmpty() ? new ArrayList<>() : warnings;
      more.add(new Warning(usage, warningThreshold));
      return more;
    }
    return warnings;
  }

  private Decision allowed(Evaluation e, List<QuotaUsage> usage, List<Warning> warnings) {
    Decision d = e.decision(List.of(), usage, warnings);
    notifyAllowed(e.policy, e.request, d);
    return d;
  }

  private void notifyAllowed(LimitPolicy policy, LimitRequest request, Decision d) {
    listener.onAllowed(policy, request, d);
    List<Warning> warnings = d.warnings();
    for (int i = 0; i < warnings.size(); i++) {
      listener.onWarning(policy, request, warnings.get(i));
    }
  }

  private Decision denied(Evaluation e, List<Denial> denials, List<QuotaUsage> usage) {
    Decision d = e.decision(denials, usage, List.of());
    reportDenied(e.policy, e.request, d);
    return d;
  }

  /** Logs a denial and tells the listeners. */
  private void reportDenied(LimitPolicy policy, LimitRequest request, Decision d) {
    if (LOG.isDebugEnabled()) {
      Denial first = d.denials().get(0);
      LOG.debug("denied {} under policy '{}' by {}: used {} of {}, requested {}", request.subject(),
          policy.name(), first.ruleId(), first.used(), first.limit(), first.requested());
    }
    listener.onDenied(policy, request, d);
  }

  private Decision unavailable(Evaluation e, StorageException ex) {
    if (failOpen) {
      LOG.warn("usage counter failed, allowing {} (fail-open): {}", e.request.subject(), ex.toString());
      Decision d = e.decision(List.of(), List.of(), List.of(), ex.outcomeUnknown());
      notifyAllowed(e.policy, e.request, d);
      return d;
    }
    LOG.warn("usage counter failed, denying {} (fail-closed): {}", e.request.subject(), ex.toString());
    Denial d = new Denial(Decision.Outcome.UNAVAILABLE, Denial.Reason.STORAGE_UNAVAILABLE, "storage", null, 0, 0,
        0, null, null);
    Decision decision = e.decision(List.of(d), List.of(), List.of(), ex.outcomeUnknown());
    reportDenied(e.policy, e.request, decision);
    return decision;
  }

  private static String newId() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return "r-" + Long.toHexString(r.nextLong()) + Long.toHexString(r.nextLong());
  }

  /** A request resolved against a policy at one instant: its access denials and its charges. */
  private final class Evaluation {
    final LimitPolicy policy;
    final LimitRequest request;
    final Instant now;
    final ZoneId zone;
    List<Denial> forbidden = List.of(); // replaced by a mutable list at the first access denial
    final List<Quota> quotas;
    final List<Period> periods;
    final List<Charge> charges;

    Evaluation(LimitPolicy policy, LimitRequest request, Instant now, ZoneId zone, int maxCharges) {
      this.policy = policy;
      this.request = request;
      this.now = now;
      this.zone = zone;
      this.quotas = new ArrayList<>(maxCharges);
      this.periods = new ArrayList<>(maxCharges);
      this.charges = new ArrayList<>(maxCharges);
    }

    ConsumeRequest request(Mode mode, @Nullable String operationId, long expiresAt) {
      return new ConsumeRequest(request.subject(), charges, mode, operationId, expiresAt, now.toEpochMilli());
    }

    QuotaUsage usage(int i, long used) {
      return new QuotaUsage(quotas.get(i), used, periods.get(i));
    }

    Denial quotaDenial(int i, long used) {
      return Decision.quotaDenial(usage(i, used), charges.get(i).amount());
    }

    Decision decision(List<Denial> denials, List<QuotaUsage> usage, List<Warning> warnings) {
      return decision(denials, usage, warnings, false);
    }

    Decision decision(List<Denial> denials, List<QuotaUsage> usage, List<Warning> warnings,
        boolean outcomeUnknown) {
      Decision.Outcome outcome = denials.isEmpty() ? Decision.Outcome.ALLOWED : denials.get(0).outcome();
      for (int i = 1; i < denials.size(); i++) {
        if (denials.get(i).outcome() == Decision.Outcome.FORBIDDEN) {
          outcome = Decision.Outcome.FORBIDDEN;
        }
      }
      return new Decision(outcome, now, denials, usage, warnings, messages, zone, outcomeUnknown);
    }
  }

  /** The reservation handle. */
  private static final class Handle implements Reservation {
    private final Limiter limiter;
    private final Evaluation evaluation;
    private final String id;
    private final Instant expiresAt;
    private final Decision decision;
    private final boolean granted;
    private final boolean retry;
    private State state;
    // A commit attempt threw a StorageException: whether it settled is unknown until a retry asks the store.
    private boolean commitInDoubt;

    private enum State { OPEN, COMMITTED, CANCELLED }

    Handle(Limiter limiter, Evaluation evaluation, String id, Instant expiresAt, Decision decision,
        boolean granted) {
      this(limiter, evaluation, id, expiresAt, decision, granted, false);
    }

    Handle(Limiter limiter, Evaluation evaluation, String id, Instant expiresAt, Decision decision,
        boolean granted, boolean retry) {
      this.limiter = limiter;
      this.evaluation = evaluation;
      this.id = id;
      this.expiresAt = expiresAt;
      this.decision = decision;
      this.granted = granted;
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
      Amounts reserved = evaluation.request.amounts();
      for (int i = 0; i < actual.size(); i++) {
        Metric m = actual.metric(i);
        Checks.requireArgument(reserved.indexOf(m) >= 0,
            "metric '%s' was not reserved by request %s; reserve it with an estimate (0 is fine)", m.name(), id);
      }
      Checks.requireState(granted, "reservation %s was not granted: %s", id, decision);
      Checks.requireState(state == State.OPEN, "reservation %s was already %s", id,
          state == State.COMMITTED ? "committed" : "cancelled");
      List<Charge> charges = evaluation.charges;
      long[] finals = new long[charges.size()];
      for (int i = 0; i < finals.length; i++) {
        int a = actual.indexOf(evaluation.quotas.get(i).metric());
        finals[i] = a >= 0 ? actual.value(a) : charges.get(i).amount();
      }
      if (finals.length > 0 && decision.outcome() == Decision.Outcome.ALLOWED && !decision.usage().isEmpty()) {
        settle(finals);
      }
      state = State.COMMITTED;
      limiter.listener.onCommitted(evaluation.policy, evaluation.request, actual);
    }

    /**
     * Settles the reservation to {@code finals}, or counts them if it is gone; a commit is never dropped
     * without a word: it counts, or this throws.
     */
    private void settle(long[] finals) {
      List<Charge> charges = evaluation.charges;
      String subject = evaluation.request.subject();
      long now = limiter.clock.instant().toEpochMilli();
      boolean retried = commitInDoubt;
      commitInDoubt = true; // until the store answers
      SettleResult settled = limiter.counter.settle(new SettleRequest(subject, id, finals, now));
      boolean counted;
      if (settled == SettleResult.NOT_FOUND || settled == SettleResult.CANCELLED) {
        // Expired and refunded, or cancelled by another handle of this reservation; but the call did happen:
        // count what it used, once, under an id of its own.
        List<Charge> late = new ArrayList<>(finals.length);
        for (int i = 0; i < finals.length; i++) {
          late.add(new Charge(charges.get(i).slot(), charges.get(i).limit(), finals[i]));
        }
        ConsumeResult.Status status = limiter.counter.consume(new ConsumeRequest(subject, late, Mode.FORCE,
            lateId(), now + limiter.idempotencyRetention.toMillis(), now)).status();
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
      if (!evaluation.charges.isEmpty() && !decision.usage().isEmpty()) {
        limiter.counter.settle(new SettleRequest(evaluation.request.subject(), id,
            new long[evaluation.charges.size()], limiter.clock.instant().toEpochMilli()));
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
