package dev.limits;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

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
  private final List<Denial> denials;
  private final List<QuotaUsage> usage;
  private final List<Warning> warnings;
  private final MessageCatalog messages;
  private final ZoneId zone;
  // The counter failed and could not tell whether the request was counted.
  private final boolean outcomeUnknown;

  /** A decision; the lists are immutable and kept as they are (they may be built on first use). */
  Decision(Outcome outcome, Instant at, List<Denial> denials, List<QuotaUsage> usage, List<Warning> warnings,
      MessageCatalog messages, ZoneId zone, boolean outcomeUnknown) {
    this.outcome = Objects.requireNonNull(outcome, "outcome");
    this.at = at;
    this.denials = denials;
    this.usage = usage;
    this.warnings = warnings;
    this.messages = messages;
    this.zone = zone;
    this.outcomeUnknown = outcomeUnknown;
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

  /** {@return every denial, in evaluation order (a request's own subject first, then its budgets); empty if allowed} */
  public List<Denial> denials() {
    return denials;
  }

  /**
   * {@return the usage of each quota the request touched, after it (for a denial: as it stands)} With
   * {@linkplain LimitRequest#alsoCharge budgets}, the request's own subject's quotas come first, then each
   * budget's; {@link QuotaUsage#subject()} tells whose each is.
   */
  public List<QuotaUsage> usage() {
    return usage;
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
