package dev.limits.it.jpms;

import dev.limits.Amounts;
import dev.limits.Decision;
import dev.limits.LimitPolicy;
import dev.limits.LimitRequest;
import dev.limits.Limiter;
import dev.limits.Metric;
import dev.limits.PeriodClock;
import dev.limits.Reservation;
import dev.limits.UsageCounters;
import dev.limits.Window;
import dev.limits.spi.UsageCounter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Reserves and commits under a two-message hourly plan, the way an application on the module path would. */
public final class ModularApp {

  private ModularApp() {}

  /**
   * Runs three requests against a plan of two messages an hour, counted in memory.
   *
   * @return the outcome of each request, in order
   */
  public static List<Decision.Outcome> run() {
    return run(UsageCounters.inMemory());
  }

  /**
   * Runs three requests against a plan of two messages an hour.
   *
   * @param counter where the usage is counted
   * @return the outcome of each request, in order
   */
  public static List<Decision.Outcome> run(UsageCounter counter) {
    Metric messages = Metric.count("messages");
    Metric tokens = Metric.tokens("tokens");
    LimitPolicy plan = LimitPolicy.builder("pro").zone("UTC")
        .quota(messages, Window.hour(), 2)
        .quota(tokens, Window.day(), 10_000)
        .build();
    Instant now = Instant.parse("2026-01-05T10:15:00Z");
    PeriodClock clock = () -> now;
    Limiter limiter = Limiter.builder(counter).clock(clock).build();
    List<Decision.Outcome> outcomes = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      LimitRequest request = LimitRequest.of("user-1").amount(messages, 1).amount(tokens, 500);
      try (Reservation r = limiter.acquire(plan, request)) {
        outcomes.add(r.decision().outcome());
        if (r.isGranted()) {
          r.commit(Amounts.of(tokens, 700));
        }
      }
    }
    return outcomes;
  }
}
