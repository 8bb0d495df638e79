package dev.limits.testkit;

import static dev.limits.testkit.LimitsAssertions.assertThat;

import dev.limits.Decision;
import dev.limits.LimitPolicy;
import dev.limits.LimitRequest;
import dev.limits.Limiter;
import dev.limits.Metric;
import dev.limits.UsageCounters;
import dev.limits.Window;
import java.lang.module.ModuleDescriptor;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** One static import, {@code LimitsAssertions.assertThat}, serves decisions and everything AssertJ asserts on. */
class LimitsAssertionsTest {

  static final Metric MESSAGES = Metric.count("messages");
  static final Instant NOW = Instant.parse("2026-05-01T09:40:00Z");

  @Test
  void oneStaticImportServesDecisionsAndAssertJsTypes() {
    Limiter limiter = Limiter.builder(UsageCounters.inMemory()).clock(() -> NOW).build();
    LimitPolicy plan = LimitPolicy.builder("p").quota(MESSAGES, Window.hour(), 1).build();
    Decision decision = limiter.consume(plan, LimitRequest.of("u").amount(MESSAGES, 1));

    assertThat(decision).isAllowed().hasUsed("messages@hour", 1);
    assertThat(decision.at()).isEqualTo(NOW).isBefore(NOW.plusSeconds(1));
    assertThat(decision.outcome().name()).isEqualTo("ALLOWED").startsWith("ALL");
    assertThat(decision.usage().get(0).remaining()).isZero().isLessThan(1L);
    assertThat(decision.usage()).hasSize(1);
    assertThat((Object) decision).as("AssertJ's generic assertThat still reaches a decision cast to Object")
        .isSameAs(decision);
  }

  @Test
  void runsOnTheModulePathWhereTheTestkitReadsAssertJForItsUsers() {
    Module testkit = LimitsAssertions.class.getModule();
    assertThat(testkit.getName()).isEqualTo("dev.limits.testkit");
    assertThat(testkit.getDescriptor().requires()).anySatisfy(r -> {
      assertThat(r.name()).isEqualTo("org.assertj.core");
      assertThat(r.modifiers()).contains(ModuleDescriptor.Requires.Modifier.TRANSITIVE);
    });
  }
}
