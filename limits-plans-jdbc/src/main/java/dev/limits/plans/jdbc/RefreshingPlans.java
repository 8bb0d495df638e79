package dev.limits.plans.jdbc;

import dev.limits.PeriodClock;
import dev.limits.plans.Plan;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plans of a {@link PlanStore}, cached and reloaded so that admin edits take effect without a restart:
 * on {@link #refresh()}, or on the first read after {@code maxAge} has passed since the last load attempt.
 *
 * <p>A reload that fails (a bad value, an unknown key, a database error) keeps the last good plans, logs a
 * warning and is reported by {@link #lastProblem()}: a bad edit never breaks enforcement. Thread-safe.
 *
 * <pre>{@code
 * RefreshingPlans plans = new RefreshingPlans(new PlanStore(dataSource), Duration.ofMinutes(1), PeriodClock.system());
 * Plan pro = plans.plan("pro").orElseThrow();
 * }</pre>
 */
public final class RefreshingPlans {

  private static final Logger LOG = LoggerFactory.getLogger(RefreshingPlans.class);

  private final PlanStore store;
  private final Duration maxAge;
  private final PeriodClock clock;
  private final Object lock = new Object();
  private volatile Map<String, Plan> plans;
  private volatile Instant attemptedAt;
  private volatile @Nullable Exception lastProblem;

  /**
   * Loads the plans once, then caches them.
   *
   * @param store  where the plans are
   * @param maxAge how long loaded plans are used before the next read reloads them; positive
   * @param clock  the time source of {@code maxAge}
   * @throws NullPointerException     if an argument is null
   * @throws IllegalArgumentException if {@code maxAge} is not positive
   * @throws SQLException             if the first load cannot read the tables
   * @throws dev.limits.InvalidPolicyException if a stored plan is invalid on the first load, when there are no
   *                                           good plans to keep
   */
  public RefreshingPlans(PlanStore store, Duration maxAge, PeriodClock clock) throws SQLException {
    this.store = Objects.requireNonNull(store, "store");
    this.maxAge = Objects.requireNonNull(maxAge, "maxAge");
    this.clock = Objects.requireNonNull(clock, "clock");
    if (maxAge.isZero() || maxAge.isNegative()) {
      throw new IllegalArgumentException("maxAge must be positive, got " + maxAge);
    }
    this.attemptedAt = clock.instant();
    this.plans = store.load();
  }

  /**
   * The current plans, reloaded first if {@code maxAge} has passed since the last load attempt.
   *
   * @return the plans by name, unmodifiable
   */
  public Map<String, Plan> plans() {
    if (!clock.instant().isBefore(attemptedAt.plus(maxAge))) {
      synchronized (lock) {
        if (!clock.instant().isBefore(attemptedAt.plus(maxAge))) {
          reload();
        }
      }
    }
    return plans;
  }

  /**
   * The current plan named {@code name}, reloaded first if {@code maxAge} has passed.
   *
   * @param name the plan's name
   * @return the plan, or empty if there is none of that name
   * @throws NullPointerException if {@code name} is null
   */
  public Optional<Plan> plan(String name) {
    Objects.requireNonNull(name, "name");
    return Optional.ofNullable(plans().get(name));
  }

  /**
   * Reloads the plans now.
   *
   * @return true if they were reloaded, false if the reload failed and the last good plans are kept
   */
  public boolean refresh() {
    synchronized (lock) {
      return reload();
    }
  }

  /** {@return why the last reload failed, or empty if it succeeded} */
  public Optional<Exception> lastProblem() {
    return Optional.ofNullable(lastProblem);
  }

  private boolean reload() {
    attemptedAt = clock.instant();
    try {
      plans = store.load();
      lastProblem = null;
      return true;
    } catch (SQLException | RuntimeException e) {
      lastProblem = e;
      LOG.warn("Keeping the last good plans: reloading them failed: {}", e.getMessage(), e);
      return false;
    }
  }
}
