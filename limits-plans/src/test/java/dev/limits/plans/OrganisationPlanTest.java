package dev.limits.plans;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.limits.LimitPolicy;
import dev.limits.Quota;
import dev.limits.plans.internal.PlanCompiler;
import java.math.BigDecimal;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OrganisationPlanTest {

  @Test
  void anOrganisationPlanIsAValueWithNothingLimitedByDefault() {
    OrganisationPlan plain = OrganisationPlan.builder("team").build();
    assertThat(plain.tokensPerDay().isUnlimited()).isTrue();
    assertThat(plain.tokensPerMonth().isUnlimited()).isTrue();
    assertThat(plain.costBudgetUsd()).isEmpty();
    OrganisationPlan a = OrganisationPlan.builder("team").tokensPerMonth(Allowance.of(5_000_000))
        .costBudget(new BigDecimal("200.50")).build();
    OrganisationPlan b = OrganisationPlan.builder("team").costBudget(new BigDecimal("200.500"))
        .tokensPerMonth(Allowance.of(5_000_000)).build();
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b).isNotEqualTo(plain);
    assertThat(a.costBudgetUsd()).hasValueSatisfying(usd -> assertThat(usd).isEqualByComparingTo("200.5"));
    assertThat(a.toString()).contains("team", "tokensPerMonth", "200.5");
  }

  @Test
  void badSettingsAreRefusedAtOnceNamingTheValue() {
    assertThatThrownBy(() -> OrganisationPlan.builder(" ")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("' '");
    assertThatThrownBy(() -> OrganisationPlan.builder("t").costBudget(new BigDecimal("-1")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
    assertThatThrownBy(() -> OrganisationPlan.builder("t").costBudget(new BigDecimal("0.0000001")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0.0000001");
    assertThatThrownBy(() -> new Organisation("acme\u0000", OrganisationPlan.builder("t").build()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Organisation("a".repeat(190), OrganisationPlan.builder("t").build()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("org/");
  }

  @Test
  void configReadsZeroAsUnlimitedAndReportsEveryProblem() {
    OrganisationPlan p = OrganisationPlan.fromConfig(Map.of("name", "team", "daily_max_tokens", "0",
        "monthly_max_tokens", "900000", "max_cost_usd", "0"));
    assertThat(p.tokensPerDay().isUnlimited()).isTrue();
    assertThat(p.tokensPerMonth()).isEqualTo(Allowance.of(900_000));
    assertThat(p.costBudgetUsd()).isEmpty();
    assertThat(OrganisationPlan.fromConfig(Map.of("name", "t", "max_cost_usd", "12.5")).costBudgetUsd())
        .hasValueSatisfying(usd -> assertThat(usd).isEqualByComparingTo("12.5"));
    assertThatThrownBy(() -> OrganisationPlan.fromConfig(Map.of("name", "team", "daily_max_tokens", "-3",
        "monthly_max_tokens", "lots", "colour", "red")))
        .isInstanceOf(InvalidPlanException.class)
        .hasMessageContaining("daily_max_tokens").hasMessageContaining("-3")
        .hasMessageContaining("monthly_max_tokens").hasMessageContaining("lots")
        .hasMessageContaining("colour");
  }

  @Test
  void anOrganisationPlanCompilesToOneQuotaPerLimitOverTheChatMetrics() {
    OrganisationPlan p = OrganisationPlan.builder("team").tokensPerDay(Allowance.of(1000))
        .tokensPerMonth(Allowance.of(20_000)).costBudget(new BigDecimal("3")).build();
    LimitPolicy policy = PlanCompiler.compile(p, ZoneOffset.UTC);
    assertThat(policy.quotas()).extracting(Quota::id)
        .containsExactly("org-tokens-day", "org-tokens-month", "org-cost-month");
    assertThat(policy.quotas()).extracting(Quota::limit).containsExactly(1000L, 20_000L, 3_000_000L);
    assertThat(policy.metrics()).containsKeys("messages", "tokens", "free_tokens", "cost", "images",
        "model_tokens");
    assertThat(PlanCompiler.compile(OrganisationPlan.builder("open").build(), ZoneOffset.UTC).quotas()).isEmpty();
  }
}
