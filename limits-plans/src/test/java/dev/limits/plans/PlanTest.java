package dev.limits.plans;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.limits.LimitPolicy;
import dev.limits.LimitRequest;
import dev.limits.Limiter;
import dev.limits.UsageCounters;
import dev.limits.plans.internal.PlanCompiler;
import dev.limits.plans.internal.PlanPolicies;
import java.math.BigDecimal;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlanTest {

  @Test
  void imageLimitsDefaultToTheSeedsAndEverythingElseIsUnlimited() {
    Plan plan = Plan.builder("basic").build();
    assertThat(plan.limit(PlanLimit.IMAGES_PER_DAY)).isEqualTo(Allowance.of(10));
    assertThat(plan.limit(PlanLimit.IMAGES_PER_WEEK)).isEqualTo(Allowance.of(50));
    assertThat(plan.limit(PlanLimit.IMAGES_PER_MONTH)).isEqualTo(Allowance.of(200));
    assertThat(plan.limit(PlanLimit.MESSAGES_PER_HOUR)).isEqualTo(Allowance.unlimited());
    assertThat(plan.limit(PlanLimit.TOKENS_PER_DAY)).isEqualTo(Allowance.unlimited());
    assertThat(plan.costBudgetUsd()).isEmpty();
    assertThat(plan.maxTokensFree()).isEqualTo(Allowance.unlimited());
    assertThat(plan.maxFileSize()).isEqualTo(Allowance.unlimited());
    assertThat(plan.allowedModels()).isEmpty();
    assertThat(plan.limits()).as("every limit, unlimited ones named as such").hasSize(PlanLimit.values().length)
        .containsEntry(PlanLimit.IMAGES_PER_DAY, Allowance.of(10))
        .containsEntry(PlanLimit.MESSAGES_PER_HOUR, Allowance.unlimited());
  }

  @Test
  void inTheJavaApiZeroAllowsNothingAndUnlimitedIsANamedValue() {
    Plan plan = Plan.builder("p").limit(PlanLimit.MESSAGES_PER_DAY, 0).limit(PlanLimit.IMAGES_PER_DAY, Allowance.unlimited())
        .limit(PlanLimit.TOKENS_PER_DAY, Allowance.unlimited()).limit(PlanLimit.FILES_PER_DAY, Allowance.of(0))
        .build();
    assertThat(plan.limit(PlanLimit.MESSAGES_PER_DAY)).isEqualTo(Allowance.of(0))
        .isNotEqualTo(Allowance.unlimited()).hasToString("0");
    assertThat(plan.limit(PlanLimit.MESSAGES_PER_DAY).isUnlimited()).isFalse();
    assertThat(plan.limit(PlanLimit.MESSAGES_PER_DAY).max()).isZero();
    assertThat(plan.limit(PlanLimit.IMAGES_PER_DAY)).isEqualTo(Allowance.unlimited()).hasToString("unlimited");
    assertThat(plan.limit(PlanLimit.TOKENS_PER_DAY).isUnlimited()).isTrue();
    assertThatThrownBy(() -> plan.limit(PlanLimit.TOKENS_PER_DAY).max())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("unlimited");
    assertThatThrownBy(() -> Allowance.of(-1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-1").hasMessageContaining("Allowance.unlimited()");
    assertThatThrownBy(() -> Plan.builder("p").limit(PlanLimit.MESSAGES_PER_DAY, -1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("MESSAGES_PER_DAY")
        .hasMessageContaining("Allowance.unlimited()");

    PlanPolicies p = PlanCompiler.compile(plan, ZoneId.of("UTC"), DayOfWeek.MONDAY);
    assertThat(p.chat().quota("messages-day").orElseThrow().limit()).as("0 compiles to a quota of 0").isZero();
    assertThat(p.files().quota("files-day").orElseThrow().limit()).isZero();
    assertThat(p.chat().quota("tokens-day")).as("unlimited compiles to no quota").isEmpty();
    assertThat(p.chat().quota("images-day")).isEmpty();
  }

  @Test
  void aZeroLimitDeniesTheFirstMessageAndAnUnlimitedOneNever() {
    Limiter limiter = Limiter.builder(UsageCounters.inMemory()).build();
    Plan zero = Plan.builder("zero").limit(PlanLimit.MESSAGES_PER_HOUR, 0).build();
    Plan unlimited = Plan.builder("unlimited").limit(PlanLimit.MESSAGES_PER_HOUR, Allowance.unlimited()).build();
    LimitRequest message = LimitRequest.of("u").amount(PlanMetrics.MESSAGES, 1);
    assertThat(limiter.consume(PlanCompiler.compile(zero, ZoneId.of("UTC"), DayOfWeek.MONDAY).chat(), message).denial())
        .hasValueSatisfying(d -> assertThat(d.ruleId()).isEqualTo("messages-hour"));
    LimitPolicy open = PlanCompiler.compile(unlimited, ZoneId.of("UTC"), DayOfWeek.MONDAY).chat();
    for (int i = 0; i < 100; i++) {
      assertThat(limiter.consume(open, LimitRequest.of("v").amount(PlanMetrics.MESSAGES, 1)).isAllowed()).isTrue();
    }
  }

  @Test
  void configZeroIsUnlimitedWhereTheJavaApiZeroAllowsNothing() {
    Plan fromConfig = Plan.fromConfig(Map.of("name", "p", "daily_max_messages", "0", "daily_image_generation_limit",
        "0", "max_file_size", "0", "model_token_budget.m", "0", "max_openrouter_cost_usd", "0"));
    assertThat(fromConfig.limit(PlanLimit.MESSAGES_PER_DAY)).isEqualTo(Allowance.unlimited());
    assertThat(fromConfig.limit(PlanLimit.IMAGES_PER_DAY)).isEqualTo(Allowance.unlimited());
    assertThat(fromConfig.maxFileSize()).isEqualTo(Allowance.unlimited());
    assertThat(fromConfig.modelTokenBudgets()).isEmpty();
    assertThat(fromConfig.costBudgetUsd()).isEmpty();
    assertThat(fromConfig).isEqualTo(Plan.builder("p").limit(PlanLimit.MESSAGES_PER_DAY, Allowance.unlimited())
        .limit(PlanLimit.IMAGES_PER_DAY, Allowance.unlimited()).build());

    Plan inJava = Plan.builder("p").limit(PlanLimit.MESSAGES_PER_DAY, 0).build();
    assertThat(inJava).isNotEqualTo(fromConfig);
    assertThat(PlanCompiler.compile(inJava, ZoneId.of("UTC"), DayOfWeek.MONDAY).chat().quota("messages-day")).isPresent();
    assertThat(PlanCompiler.compile(fromConfig, ZoneId.of("UTC"), DayOfWeek.MONDAY).chat().quota("messages-day")).isEmpty();
    assertThat(Plan.fromConfig(Map.of("name", "p", "daily_max_messages", "1")).limit(PlanLimit.MESSAGES_PER_DAY))
        .isEqualTo(Allowance.of(1));
  }

  @Test
  void builderRejectsBadValuesAtOnce() {
    assertThatThrownBy(() -> Plan.builder(" ")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Plan.builder("p").limit(PlanLimit.TOKENS_PER_DAY, -1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("TOKENS_PER_DAY").hasMessageContaining("-1");
    assertThatThrownBy(() -> Plan.builder("p").costBudget(new BigDecimal("0.0000001")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0.0000001");
    assertThatThrownBy(() -> Plan.builder("p").maxTokensFree(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Plan.builder("p").allowModels("")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Plan.builder("p").activeFrom(Instant.parse("2026-02-01T00:00:00Z"))
        .activeUntil(Instant.parse("2026-01-01T00:00:00Z")).build()).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void configReadsTheSeedsFieldsWithZeroMeaningUnlimited() {
    Map<String, String> c = new HashMap<>();
    c.put("name", "pro");
    c.put("is_active", "true");
    c.put("hourly_max_messages", "20");
    c.put("three_hour_max_messages", "0");
    c.put("daily_max_messages", "100");
    c.put("daily_max_tokens", "50000");
    c.put("monthly_max_tokens", "0");
    c.put("daily_image_generation_limit", "0");
    c.put("weekly_image_generation_limit", "30");
    c.put("max_tokens_free", "800");
    c.put("monthly_free_model_tokens", "100000");
    c.put("max_openrouter_cost_usd", "5.25");
    c.put("model_token_budget.openai/gpt-4o", "20000");
    c.put("model_token_budget.openai/o1", "0");
    c.put("allowed_models", "openai/gpt-4o, openai/o1");
    c.put("free_models", "meta/llama");
    c.put("max_file_size", "0");
    c.put("allowed_extensions", "pdf, .PNG");
    c.put("max_files_per_chat", "3");
    c.put("active_until", "2026-04-01T00:00:00Z");
    Plan plan = Plan.fromConfig(c);

    assertThat(plan.name()).isEqualTo("pro");
    assertThat(plan.limit(PlanLimit.MESSAGES_PER_HOUR)).isEqualTo(Allowance.of(20));
    assertThat(plan.limit(PlanLimit.MESSAGES_PER_3_HOURS)).isEqualTo(Allowance.unlimited());
    assertThat(plan.limit(PlanLimit.TOKENS_PER_MONTH)).isEqualTo(Allowance.unlimited());
    assertThat(plan.limit(PlanLimit.IMAGES_PER_DAY)).as("0 lifts the seed default").isEqualTo(Allowance.unlimited());
    assertThat(plan.limit(PlanLimit.IMAGES_PER_WEEK)).isEqualTo(Allowance.of(30));
    assertThat(plan.limit(PlanLimit.IMAGES_PER_MONTH)).as("absent keeps the seed default").isEqualTo(Allowance.of(200));
    assertThat(plan.maxTokensFree()).isEqualTo(Allowance.of(800));
    assertThat(plan.limit(PlanLimit.FREE_MODEL_TOKENS_PER_MONTH)).isEqualTo(Allowance.of(100_000));
    assertThat(plan.costBudgetUsd()).hasValue(new BigDecimal("5.250000"));
    assertThat(plan.modelTokenBudgets()).containsOnly(Map.entry("openai/gpt-4o", 20_000L));
    assertThat(plan.allowedModels()).containsExactly("openai/gpt-4o", "openai/o1");
    assertThat(plan.freeModels()).containsExactly("meta/llama");
    assertThat(plan.maxFileSize()).isEqualTo(Allowance.unlimited());
    assertThat(plan.allowedExtensions()).containsExactly("pdf", "png");
    assertThat(plan.limit(PlanLimit.FILES_PER_CHAT)).isEqualTo(Allowance.of(3));
    assertThat(plan.activeUntil()).hasValue(Instant.parse("2026-04-01T00:00:00Z"));
    assertThat(plan.activeFrom()).isEmpty();
  }

  @Test
  void configReportsEveryBadValueAtOnce() {
    Map<String, String> c = new HashMap<>();
    c.put("name", "broken");
    c.put("hourly_max_messages", "-3");
    c.put("daily_max_tokens", "lots");
    c.put("max_openrouter_cost_usd", "1.0000001");
    c.put("is_active", "maybe");
    c.put("daly_max_messages", "5");
    c.put("active_from", "2026-05-01T00:00:00Z");
    c.put("active_until", "2026-04-01T00:00:00Z");
    c.put("free_models", "");
    assertThatThrownBy(() -> Plan.fromConfig(c))
        .isInstanceOfSatisfying(InvalidPlanException.class, e -> assertThat(e.problems()).hasSize(6)
            .anySatisfy(p -> assertThat(p).contains("hourly_max_messages").contains("-3"))
            .anySatisfy(p -> assertThat(p).contains("daily_max_tokens").contains("lots"))
            .anySatisfy(p -> assertThat(p).contains("max_openrouter_cost_usd").contains("1.0000001"))
            .anySatisfy(p -> assertThat(p).contains("is_active").contains("maybe"))
            .anySatisfy(p -> assertThat(p).contains("unknown key 'daly_max_messages'"))
            .anySatisfy(p -> assertThat(p).contains("active_until")))
        .isInstanceOf(dev.limits.InvalidPolicyException.class);
  }

  @Test
  void configWithoutANameIsReported() {
    assertThatThrownBy(() -> Plan.fromConfig(Map.of("daily_max_messages", "x")))
        .isInstanceOfSatisfying(InvalidPlanException.class, e -> assertThat(e.problems()).hasSize(2));
  }

  @Test
  void everyCountAPlanAllowsIsAnAllowanceAndUnlimitedIsSpelledOneWay() {
    Plan capped = Plan.builder("p").maxTokensFree(300).maxFileSize(0).build();
    assertThat(capped.maxTokensFree()).isEqualTo(Allowance.of(300));
    assertThat(capped.maxFileSize()).as("0 allows only empty files").isEqualTo(Allowance.of(0));
    assertThat(capped).isEqualTo(Plan.builder("p").maxTokensFree(Allowance.of(300)).maxFileSize(Allowance.of(0))
        .build());

    Plan lifted = capped.toBuilder().maxTokensFree(Allowance.unlimited()).maxFileSize(Allowance.unlimited()).build();
    assertThat(lifted.maxTokensFree()).isEqualTo(Allowance.unlimited());
    assertThat(lifted.maxFileSize()).isEqualTo(Allowance.unlimited());
    assertThat(lifted).isEqualTo(Plan.builder("p").build());

    assertThatThrownBy(() -> Plan.builder("p").maxTokensFree(Allowance.of(0)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxTokensFree").hasMessageContaining("0");
    assertThatThrownBy(() -> Plan.builder("p").maxFileSize(-1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-1").hasMessageContaining("Allowance.unlimited()");
    assertThatThrownBy(() -> Plan.builder("p").maxFileSize(null)).isInstanceOf(NullPointerException.class)
        .hasMessage("bytes");

    Plan fromConfig = Plan.fromConfig(Map.of("name", "p", "max_tokens_free", "0", "max_file_size", "2048"));
    assertThat(fromConfig.maxTokensFree()).as("config 0 is unlimited").isEqualTo(Allowance.unlimited());
    assertThat(fromConfig.maxFileSize()).isEqualTo(Allowance.of(2048));
  }

  @Test
  void configProblemsStartWithTheirKeyWhileTheBuilderSpeaksOfJava() {
    Map<String, String> c = new HashMap<>();
    c.put("name", "broken");
    c.put("hourly_max_messages", "-3");
    c.put("max_openrouter_cost_usd", "1.0000001");
    c.put("allowed_models", "m".repeat(Plan.MAX_MODEL_LENGTH + 1));
    c.put("max_file_size", "big");
    assertThatThrownBy(() -> Plan.fromConfig(c)).isInstanceOfSatisfying(InvalidPlanException.class, e ->
        assertThat(e.problems()).hasSize(4)
            .anySatisfy(p -> assertThat(p).isEqualTo("hourly_max_messages: must be 0 (unlimited) or more, got -3"))
            .anySatisfy(p -> assertThat(p).startsWith("max_openrouter_cost_usd: ").contains("1.0000001"))
            .anySatisfy(p -> assertThat(p).startsWith("allowed_models: model id must have 1 to 180 characters"))
            .anySatisfy(p -> assertThat(p).isEqualTo("max_file_size: must be a whole number, got 'big'")));

    assertThatThrownBy(() -> Plan.builder("p").costBudget(new BigDecimal("-1")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cost budget").hasMessageContaining("-1")
        .hasMessageNotContaining("max_openrouter_cost_usd");
    assertThatThrownBy(() -> Plan.builder("p").maxTokensFree(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("max_tokens_free");
  }

  @Test
  void toStringNamesWhatIsLimitedOnly() {
    Plan plan = Plan.builder("pro").limit(PlanLimit.MESSAGES_PER_HOUR, 20).limit(PlanLimit.IMAGES_PER_DAY,
        Allowance.unlimited()).maxTokensFree(300).costBudget(new BigDecimal("5")).build();
    assertThat(plan.toString()).startsWith("Plan[pro, limits={").contains("MESSAGES_PER_HOUR=20")
        .contains("IMAGES_PER_WEEK=50").doesNotContain("IMAGES_PER_DAY").contains("maxTokensFree=300")
        .contains("cost=5.000000 USD").doesNotContain("maxFileSize");
  }

  @Test
  void equalPlansAreEqualAndToBuilderRoundTrips() {
    Plan a = Plan.builder("p").limit(PlanLimit.MESSAGES_PER_DAY, 3).allowModels("m").build();
    Plan b = Plan.builder("p").limit(PlanLimit.MESSAGES_PER_DAY, 3).allowModels("m").build();
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a.toBuilder().build()).isEqualTo(a);
    assertThat(a.toBuilder().limit(PlanLimit.MESSAGES_PER_DAY, 4).build()).isNotEqualTo(a);
    assertThat(a.limit(PlanLimit.MESSAGES_PER_DAY)).isEqualTo(Allowance.of(3));
  }
}
