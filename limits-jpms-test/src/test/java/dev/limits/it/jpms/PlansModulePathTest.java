package dev.limits.it.jpms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.limits.Decision;
import dev.limits.UsageCounters;
import dev.limits.plans.AiCall;
import dev.limits.plans.AiGate;
import dev.limits.plans.AiPermit;
import dev.limits.plans.AiUsage;
import dev.limits.plans.Allowance;
import dev.limits.plans.Plan;
import dev.limits.plans.PlanLimit;
import java.lang.module.ModuleDescriptor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * limits-plans seen from an application module: named, exporting {@code dev.limits.plans} only, its internal
 * package (config reading, compilation) reached through the API alone.
 */
class PlansModulePathTest {

  private final Module plans = Plan.class.getModule();

  @Test
  void exportsTheApiOnly() {
    assertEquals("dev.limits.plans", plans.getName(), "limits-plans is a named module, not the class path");
    ModuleDescriptor d = plans.getDescriptor();
    Set<String> exported = d.exports().stream()
        .peek(e -> assertFalse(e.isQualified(), "qualified export " + e))
        .map(ModuleDescriptor.Exports::source).collect(Collectors.toSet());
    assertEquals(Set.of("dev.limits.plans"), exported);
    assertTrue(d.packages().contains("dev.limits.plans.internal"));
    assertFalse(plans.isExported("dev.limits.plans.internal", ModularApp.class.getModule()));
    assertTrue(d.opens().isEmpty(), "nothing is opened to reflection");
  }

  @Test
  void aPlanReadFromAdminSettingsGatesCallsFromTheModulePath() {
    Plan plan = Plan.fromConfig(Map.of("name", "free", "hourly_max_messages", "2", "daily_max_tokens", "0"));
    assertEquals(Allowance.of(2), plan.limit(PlanLimit.MESSAGES_PER_HOUR));
    assertEquals(Allowance.unlimited(), plan.limit(PlanLimit.TOKENS_PER_DAY));
    AiGate gate = AiGate.builder(UsageCounters.inMemory()).build();
    List<Decision.Outcome> outcomes = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      try (AiPermit permit = gate.before("user-1", plan, AiCall.message("any/model"))) {
        outcomes.add(permit.decision().outcome());
        if (permit.isGranted()) {
          permit.commit(AiUsage.of(10));
        }
      }
    }
    assertEquals(List.of(Decision.Outcome.ALLOWED, Decision.Outcome.ALLOWED, Decision.Outcome.QUOTA_EXCEEDED),
        outcomes);
  }
}
