package dev.limits;

import dev.limits.internal.Checks;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The answer to a request: allowed, or denied with the reasons. A denial is an ordinary value, never an
 * exception.
 *
 * <p>A denied decision lists every rule or quota that did not pass, the first one (in the policy's
 * evaluation order) being {@link #denial()}. An allowed decision carries the usage of each quota the
 * request touched and {@linkplain #warnings() warnings} for quotas at or past the warning threshold.
 * Immutable and thread-safe.
 *
 * @see Limiter
 * @see Denial
 * @see MessageCatalog
 */
public final class Decision {

  /** The kind of a decision, with its HTTP status. */
  public enum Outcome {
    /** The request may go ahead (200). */
    ALLOWED(200),
    /** No access: subscription, model or file not allowed (403). */
    FORBIDDEN(403),
    /** A quota is used up (429). */
    QUOTA_EXCEEDED(429),
    /** The counters could not be reached and the limiter fails closed (503). */
    UNAVAILABLE(503);

    private final int httpStatus;

    Outcome(int httpStatus) {
      this.httpStatus = httpStatus;
    }

    /** {@return the HTTP status a server answers with} */
    public int httpStatus() {
      return httpStatus;
    }
  }

  private final Outcome outcome;
  private final Instant at;
  // The denials as given, or null when a denied decision was made from the arrays below: built on first use
  // into builtDenials, like the usage.
  private final @Nullable List<Denial> denials;
  private @Nullable List<Denial> builtDenials;
  private final List<Warning> warnings;
  private final MessageCatalog messages;
  private final ZoneId zone;
  // The usage list as given, or null when the decision was made from the arrays below: most callers of an
  // allowed consume never look at it, so it is built on first use into builtUsage. Everything it is built
  // from is final, so even a decision published through a race builds a correct list, and two first readers
  // only build two equal immutable lists.
  private final @Nullable List<QuotaUsage> usage;
  private @Nullable List<QuotaUsage> builtUsage;
  private final @Nullable List<Quota> quotas;
  private final Period @Nullable [] periods;
  private final int @Nullable [] index;
  // Allowed: the usage of each entry. Denied: the usage of each entry, then the amount each requested.
  private final long @Nullable [] used;
  // The counter failed and could not tell whether the request was counted.
  private final boolean outcomeUnknown;

  Decision(Outcome outcome, Instant at, List<Denial> denials, List<QuotaUsage> usage, List<Warning> warnings,
      MessageCatalog messages, ZoneId zone) {
    this(outcome, at, denials, usage, warnings, messages, zone, false);
  }

  /** A decision as above, taken when the counter failed; {@code outcomeUnknown} as the counter said. */
  Decision(Outcome outcome, Instant at, List<Denial> denials, List<QuotaUsage> usage, List<Warning> warnings,
      MessageCatalog messages, ZoneId zone, boolean outcomeUnknown) {
    this(Objects.requireNonNull(outcome, "outcome"), at, List.copyOf(denials), List.copyOf(warnings), messages,
        zone, List.copyOf(usage), null, null, null, null, outcomeUnknown);
  }

  /**
   * An allowed decision whose usage entry {@code i} is quota {@code index[i]} (or {@code i} if
   * {@code index} is null) of {@code quotas}, with {@code used[i]} in {@code periods[index[i]]}; the arrays
   * are kept, not copied, and never written again.
   */
  Decision(Instant at, List<Warning> warnings, MessageCatalog messages, ZoneId zone, List<Quota> quotas,
      Period[] periods, int @Nullable [] index, long[] used) {
    this(Outcome.ALLOWED, at, List.of(), warnings, messages, zone, null, quotas, periods, index, used, false);
  }

  /**
   * A decision denied by quotas, whose usage entry {@code i} of {@code n} (half the length of
   * {@code usedThenRequested}) is quota {@code index[i]} (or {@code i} if {@code index} is null) of
   * {@code quotas}, with {@code usedThenRequested[i]} in {@code periods[index[i]]}, and where
   * {@code usedThenRequested[n + i]} was requested; every entry whose request does not fit is a denial, and
   * at least one does not. The arrays are kept, not copied, and never written again.
   */
  Decision(Instant at, MessageCatalog messages, ZoneId zone, List<Quota> quotas, Period[] periods,
      int @Nullable [] index, long[] usedThenRequested) {
    this(Outcome.QUOTA_EXCEEDED, at, null, List.of(), messages, zone, null, quotas, periods, index,
        usedThenRequested, false);
  }

  private Decision(Outcome outcome, Instant at, @Nullable List<Denial> denials, List<Warning> warnings,
      MessageCatalog messages, ZoneId zone, @Nullable List<QuotaUsage> usage, @Nullable List<Quota> quotas,
      Period @Nullable [] periods, int @Nullable [] index, long @Nullable [] used, boolean outcomeUnknown) {
    this.outcome = outcome;
    this.at = at;
    this.denials = denials;
    this.warnings = warnings;
    this.messages = messages;
    this.zone = zone;
    this.usage = usage;
    this.quotas = quotas;
    this.periods = periods;
    this.index = index;
    this.used = used;
    this.outcomeUnknown = outcomeUnknown;
  }

  /**
   * The denial of a quota whose usage leaves no room for {@code requested}.
   *
   * @param usage     the quota's usage
   * @param requested the amount requested
   */
  static Denial quotaDenial(QuotaUsage usage, long requested) {
    Quota q = usage.quota();
    return new Denial(Outcome.QUOTA_EXCEEDED, Denial.Reason.QUOTA_EXCEEDED, q.id(), q, q.limit(), usage.used(),
        requested, usage.resetsAt().orElse(null), null);
  }

  /** {@return whether the request may go ahead} */
  public boolean isAllowed() {
    return outcome == Outcome.ALLOWED;
  }

  /**
   * Whether the request may have been counted although the counter failed: true only when the counter
   * failed while the request was on its way to storage and could not tell whether it was counted (an
   * {@link Outcome#UNAVAILABLE} decision, or an allowed one from a limiter that fails open). False for every
   * other decision, and for an unavailable one whose request surely was not counted: then the user's
   * quota is as it was, and the request can be sent again as it is. When true, sending it again without an
   * idempotency key may count it twice; with the same key it counts once. A reservation ({@link Limiter#acquire})
   * that may have been made is refunded when it expires, by the purge.
   *
   * @return true if the counter could not tell whether the request was counted
   * @see dev.limits.spi.StorageException#outcomeUnknown()
   */
  public boolean outcomeUnknown() {
    return outcomeUnknown;
  }

  /** {@return the kind of decision} */
  public Outcome outcome() {
    return outcome;
  }

  /** {@return the HTTP status for this decision: 200, 403, 429 or 503} */
  public int httpStatus() {
    return outcome.httpStatus();
  }

  /** {@return when the decision was taken} */
  public Instant at() {
    return at;
  }

  /** {@return the first denial in evaluation order; empty if allowed} */
  public Optional<Denial> denial() {
    List<Denial> d = denials();
    return d.isEmpty() ? Optional.empty() : Optional.of(d.get(0));
  }

  /** {@return every denial, in evaluation order; empty if allowed} */
  public List<Denial> denials() {
    List<Denial> d = denials != null ? denials : builtDenials;
    return d != null ? d : (builtDenials = buildDenials()); // as usage(): racing first readers build equal lists
  }

  private List<Denial> buildDenials() {
    List<QuotaUsage> u = usage();
    long[] requested = Objects.requireNonNull(used, "used");
    List<Denial> result = new ArrayList<>(u.size());
    for (int i = 0; i < u.size(); i++) {
      QuotaUsage entry = u.get(i);
      long amount = requested[u.size() + i];
      if (!Checks.fits(entry.limit(), amount, entry.used())) {
        result.add(quotaDenial(entry, amount));
      }
    }
    return List.copyOf(result);
  }

  /** {@return the usage of each quota the request touched, after it (for a denial: as it stands)} */
  public List<QuotaUsage> usage() {
    if (usage != null) {
      return usage;
    }
    List<QuotaUsage> u = builtUsage;
    if (u == null) {
      u = buildUsage();
      builtUsage = u;
    }
    return u;
  }

  private List<QuotaUsage> buildUsage() {
    List<Quota> q = Objects.requireNonNull(quotas, "quotas");
    Period[] p = Objects.requireNonNull(periods, "periods");
    long[] u = Objects.requireNonNull(used, "used");
    int[] ix = index;
    int n = outcome == Outcome.ALLOWED ? u.length : u.length / 2;
    QuotaUsage[] result = new QuotaUsage[n];
    for (int i = 0; i < n; i++) {
      int k = ix == null ? i : ix[i];
      result[i] = new QuotaUsage(q.get(k), u[i], p[k]);
    }
    return List.of(result);
  }

  /** {@return the quotas at or past the warning threshold after an allowed request} */
  public List<Warning> warnings() {
    return warnings;
  }

  /**
   * {@return how long to wait before a retry can succeed: the latest reset among the quotas that denied} Empty if
   * allowed, forbidden, or if waiting cannot help (a lifetime quota).
   */
  public Optional<Duration> retryAfter() {
    if (outcome != Outcome.QUOTA_EXCEEDED) {
      return Optional.empty();
    }
    Duration longest = null;
    for (Denial d : denials()) {
      Optional<Duration> wait = d.retryAfter(at);
      if (wait.isEmpty()) {
        return Optional.empty();
      }
      if (longest == null || wait.get().compareTo(longest) > 0) {
        longest = wait.get();
      }
    }
    return Optional.ofNullable(longest);
  }

  /**
   * The message for the first denial in {@code locale}, from the limiter's {@link MessageCatalog}; empty
   * if allowed.
   *
   * @param locale the language of the message
   * @return the rendered message, or empty if the request was allowed
   * @throws NullPointerException if {@code locale} is null
   */
  public Optional<String> message(Locale locale) {
    Objects.requireNonNull(locale, "locale");
    return denial().map(d -> messages.render(d, locale, zone));
  }

  @Override
  public String toString() {
    List<Denial> d = denials();
    return "Decision[" + outcome + (d.isEmpty() ? "" : ", " + d.get(0).ruleId()) + "]";
  }
}
