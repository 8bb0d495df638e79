package dev.limits;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Why a request was denied: whose budget, which rule or quota, its limit and usage, and when to retry.
 *
 * @param subject    whose rule or quota denied: the request's subject, or one of the budgets it also charges
 *                   ({@link LimitRequest#alsoCharge}); for a storage failure, the request's subject
 * @param outcome    {@link Decision.Outcome#FORBIDDEN}, {@link Decision.Outcome#QUOTA_EXCEEDED} or
 *                   {@link Decision.Outcome#UNAVAILABLE}
 * @param reason     the reason, which also picks the message template
 * @param ruleId     the quota id or access rule id that denied
 * @param quota      the quota that denied, or null for an access rule
 * @param limit      the limit (for a file size rule, the largest size); 0 where there is none
 * @param used       the usage counted in the current period (for a file size rule, the file's size)
 * @param requested  the amount the request asked for
 * @param resetsAt   when the quota's period ends, or null if it never does or a rule denied
 * @param detail     what was refused (the model, the extension), or null
 * @see Decision
 */
public record Denial(String subject, Decision.Outcome outcome, Reason reason, String ruleId, @Nullable Quota quota,
    long limit, long used, long requested, @Nullable Instant resetsAt, @Nullable String detail) {

  /** Why a request was denied. */
  public enum Reason {
    /** The subscription is not valid now (403). */
    SUBSCRIPTION_INACTIVE,
    /** The model is not allowed by the plan (403). */
    MODEL_NOT_ALLOWED,
    /** The file is larger than allowed (403). */
    FILE_TOO_LARGE,
    /** The file's extension is not allowed (403). */
    EXTENSION_NOT_ALLOWED,
    /** A quota is used up (429). */
    QUOTA_EXCEEDED,
    /** The counters could not be reached and the limiter fails closed (503). */
    STORAGE_UNAVAILABLE
  }

  /**
   * Creates a denial.
   *
   * @param subject    whose rule or quota denied
   * @param outcome    {@link Decision.Outcome#FORBIDDEN}, {@link Decision.Outcome#QUOTA_EXCEEDED} or
   *                   {@link Decision.Outcome#UNAVAILABLE}
   * @param reason     the reason, which also picks the message template
   * @param ruleId     the quota id or access rule id that denied
   * @param quota      the quota that denied, or null for an access rule
   * @param limit      the limit (for a file size rule, the largest size); 0 where there is none
   * @param used       the usage counted in the current period (for a file size rule, the file's size)
   * @param requested  the amount the request asked for
   * @param resetsAt   when the quota's period ends, or null if it never does or a rule denied
   * @param detail     what was refused (the model, the extension), or null
   * @throws NullPointerException if {@code subject}, {@code outcome}, {@code reason} or {@code ruleId} is null
   */
  public Denial {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(ruleId, "ruleId");
  }

  /** {@return what is left in the current period: {@code max(0, limit - used)}} */
  public long remaining() {
    return Math.max(0, limit - used);
  }

  /** {@return when the quota's period ends, if it ever does} */
  public Optional<Instant> resetTime() {
    return Optional.ofNullable(resetsAt);
  }

  /**
   * How long to wait from {@code now} before a retry can succeed, if waiting helps at all.
   *
   * @param now the current instant
   * @return the wait, zero if the period already ended, or empty if there is no reset time
   */
  public Optional<Duration> retryAfter(Instant now) {
    if (resetsAt == null) {
      return Optional.empty();
    }
    Duration d = Duration.between(now, resetsAt);
    return Optional.of(d.isNegative() ? Duration.ZERO : d);
  }
}
