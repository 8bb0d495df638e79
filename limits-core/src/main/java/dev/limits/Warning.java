package dev.limits;

import java.util.Objects;

/**
 * An allowed request brought a quota to or past the warning threshold (80% by default).
 *
 * @param usage     the quota's usage after the request
 * @param threshold the threshold crossed, as a share of the limit
 * @see Limiter.Builder#warningThreshold(double)
 */
public record Warning(QuotaUsage usage, double threshold) {

  /**
   * Creates a warning.
   *
   * @param usage     the quota's usage after the request
   * @param threshold the threshold crossed, as a share of the limit
   * @throws NullPointerException if {@code usage} is null
   */
  public Warning {
    Objects.requireNonNull(usage, "usage");
  }
}
