package dev.limits;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The usage of every quota of a policy for one subject at one instant.
 *
 * @param subject the subject
 * @param at      when the report was taken
 * @param quotas  one entry per quota, in the policy's order
 * @see Limiter#usage(LimitPolicy, String)
 */
public record UsageReport(String subject, Instant at, List<QuotaUsage> quotas) {

  /**
   * Creates a report.
   *
   * @param subject the subject
   * @param at      when the report was taken
   * @param quotas  one entry per quota, in the policy's order
   * @throws NullPointerException if an argument is null
   */
  public UsageReport {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(at, "at");
    quotas = List.copyOf(quotas);
  }

  /**
   * The usage of the quota with {@code id}, if the policy has it.
   *
   * @param id the quota's id
   * @return its usage, or empty
   */
  public Optional<QuotaUsage> quota(String id) {
    return quotas.stream().filter(q -> q.quota().id().equals(id)).findFirst();
  }
}
