package dev.limits.plans.jdbc;

import dev.limits.Decision;
import dev.limits.MessageCatalog;
import dev.limits.UsageCounters;
import dev.limits.plans.AiCall;
import dev.limits.plans.AiGate;
import dev.limits.plans.AiPermit;
import dev.limits.plans.AiUsage;
import dev.limits.plans.Plan;
import dev.limits.plans.PlanLimit;

/** Denials of real plans, to look at their messages. */
final class Denials {

  private Denials() {}

  /** The decision for one message more than the plan's hourly limit, rendered with {@code messages}. */
  static Decision messagesPerHour(Plan plan, MessageCatalog messages) {
    AiGate gate = AiGate.builder(UsageCounters.inMemory()).messages(messages).build();
    AiCall message = AiCall.message(plan.allowedModels().stream().findFirst().orElse("any/model"));
    long limit = plan.limit(PlanLimit.MESSAGES_PER_HOUR).max();
    for (long i = 0; i < limit; i++) {
      try (AiPermit permit = gate.before("user-1", plan, message)) {
        permit.commit(AiUsage.of(0));
      }
    }
    return gate.before("user-1", plan, message).decision();
  }
}
