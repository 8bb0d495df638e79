package dev.limits;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The usage of one quota in its current period: for a panel that says "3 images left today, resets at 00:00".
 *
 * @param subject  whose usage: the request's subject, or a budget it also charges (an organisation's pool)
 * @param quota    the quota
 * @param used     counted in the current period (rolling: within the window)
 * @param period   the current period (rolling: the current bucket)
 * @see UsageReport
 */
public record QuotaUsage(String subject, Quota quota, long used, Period period) {

  /**
   * Creates a usage entry.
   *
   * @param subject  whose usage
   * @param quota    the quota
   * @param used     counted in the current period (rolling: within the window)
   * @param period   the current period (rolling: the current bucket)
   * @throws NullPointerException if {@code subject}, {@code quota} or {@code period} is null
   */
  public QuotaUsage {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(quota, "quota");
    Objects.requireNonNull(period, "period");
  }

  /** {@return the quota's limit} */
  public long limit() {
    return quota.limit();
  }

  /** {@return what is left: {@code max(0, limit - used)}} */
  public long remaining() {
    return Math.max(0, quota.limit() - used);
  }

  /** {@return the share of the limit used, from 0 (a zero limit counts as fully used)} */
  public double ratio() {
    return quota.limit() == 0 ? 1.0 : (double) used / quota.limit();
  }

  /**
   * {@return when the current usage stops counting: the period's end for calendar windows; for rolling windows, when
   * the current bucket's usage ages out; empty for lifetime windows}
   */
  public Optional<Instant> resetsAt() {
    if (period.isEndless()) {
      return Optional.empty();
    }
    if (quota.window() instanceof Window.Rolling) {
      Window.Rolling r = (Window.Rolling) quota.window();
      return Optional.of(period.end().plus(r.length()));
    }
    return Optional.of(period.end());
  }
}
