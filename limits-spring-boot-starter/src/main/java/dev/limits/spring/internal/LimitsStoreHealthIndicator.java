package dev.limits.spring.internal;

import dev.limits.PeriodClock;
import dev.limits.spi.UsageCounter;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * The health of the limiter's store: up when it answers a read of one subject's counters, down with the error
 * otherwise (then every limited request answers 503, unless the limiter fails open).
 */
public class LimitsStoreHealthIndicator extends AbstractHealthIndicator {

  /** The subject whose (empty) counters the check reads. */
  static final String PROBE_SUBJECT = "limits-health-probe";

  private final UsageCounter store;
  private final PeriodClock clock;

  /**
   * Creates the indicator.
   *
   * @param store the store to check
   * @param clock the limiter's clock
   */
  public LimitsStoreHealthIndicator(UsageCounter store, PeriodClock clock) {
    super("the limits store could not be reached");
    this.store = store;
    this.clock = clock;
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) {
    store.snapshot(PROBE_SUBJECT, clock.instant().toEpochMilli());
    builder.up().withDetail("store", store.getClass().getSimpleName());
  }
}
