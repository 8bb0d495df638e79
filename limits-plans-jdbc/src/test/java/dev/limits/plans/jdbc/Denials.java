package dev.limits.plans.jdbc;

import dev.limits.Decision;
import dev.limits.LimitRequest;
import dev.limits.Limiter;
import dev.limits.MessageCatalog;
import dev.limits.plans.Plan;
import dev.limits.plans.PlanMetrics;
import dev.limits.plans.PlanPolicies;
import dev.limits.spi.UsageCounter;
import java.time.DayOfWeek;
import java.time.ZoneOffset;

/** Denials of real plans, to look at their messages. */
final class Denials {

  private Denials() {}

  /** The decision for one message more than the plan's hourly limit, rendered with {@code messages}. */
  static Decision messagesPerHour(Plan plan, MessageCatalog messages) {
    PlanPolicies policies = plan.toPolicies(ZoneOffset.UTC, DayOfWeek.MONDAY);
    Limiter limiter = Limiter.builder(UsageCounter.inMemory()).messages(messages).build();
    long limit = plan.limit(dev.limits.plans.PlanLimit.MESSAGES_PER_HOUR).max();
    for (long i = 0; i < limit; i++) {
      limiter.consume(policies.chat(), LimitRequest.of("user-1").amount(PlanMetrics.MESSAGES, 1));
    }
    return limiter.check(policies.chat(), LimitRequest.of("user-1").amount(PlanMetrics.MESSAGES, 1));
  }
}
