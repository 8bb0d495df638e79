package dev.limits.plans.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.limits.Decision;
import dev.limits.InvalidPolicyException;
import dev.limits.MessageCatalog;
import dev.limits.PeriodClock;
import dev.limits.plans.Allowance;
import dev.limits.plans.Plan;
import dev.limits.plans.PlanLimit;
import dev.limits.plans.PlanMessages;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The plan tables read through {@link PlanStore} and {@link RefreshingPlans}, on one database. */
abstract class PlanStoreContract {

  abstract DataSource dataSource();

  @BeforeEach
  void seed() {
    DataSource ds = dataSource();
    Databases.clear(ds);
    Databases.exec(ds,
        "INSERT INTO limits_plan (name, is_active) VALUES ('free', TRUE)",
        "INSERT INTO limits_plan (name, is_active) VALUES ('pro', TRUE)",
        "INSERT INTO limits_plan (name, is_active) VALUES ('old', FALSE)",
        "INSERT INTO limits_plan_setting (plan_name, setting_key, setting_value) VALUES ('free', 'hourly_max_messages', '5')",
        "INSERT INTO limits_plan_setting (plan_name, setting_key, setting_value) VALUES ('free', 'daily_max_tokens', '10000')",
        "INSERT INTO limits_plan_setting (plan_name, setting_key, setting_value) VALUES ('pro', 'hourly_max_messages', '0')",
        "INSERT INTO limits_plan_setting (plan_name, setting_key, setting_value) VALUES ('pro', 'max_openrouter_cost_usd', '5.00')",
        "INSERT INTO limits_plan_setting (plan_name, setting_key, setting_value) VALUES ('pro', 'allowed_models', 'openai/gpt-4o, meta/llama-3-8b')");
  }

  @Test
  void loadsEveryPlanThroughFromConfig() throws Exception {
    Map<String, Plan> plans = new PlanStore(dataSource()).load();

    assertThat(plans).containsOnlyKeys("free", "old", "pro");
    assertThat(plans.get("free").limit(PlanLimit.MESSAGES_PER_HOUR)).isEqualTo(Allowance.of(5));
    assertThat(plans.get("free").limit(PlanLimit.TOKENS_PER_DAY)).isEqualTo(Allowance.of(10_000));
    assertThat(plans.get("pro").limit(PlanLimit.MESSAGES_PER_HOUR)).as("0 in the table: unlimited")
        .isEqualTo(Allowance.unlimited());
    assertThat(plans.get("pro").costBudgetUsd()).hasValue(new BigDecimal("5.000000"));
    assertThat(plans.get("pro").allowedModels()).containsExactly("meta/llama-3-8b", "openai/gpt-4o");
    assertThat(plans.get("old").enabled()).isFalse();
    assertThat(plans.get("pro").enabled()).isTrue();
  }

  @Test
  void reportsEveryBadValueWithItsPlan() {
    Databases.exec(dataSource(),
        "UPDATE limits_plan_setting SET setting_value = 'lots' WHERE plan_name = 'free' AND setting_key = 'hourly_max_messages'",
        "INSERT INTO limits_plan_setting (plan_name, setting_key, setting_value) VALUES ('pro', 'daily_max_mesages', '3')",
        "INSERT INTO limits_plan_setting (plan_name, setting_key, setting_value) VALUES ('old', 'is_active', 'true')");

    assertThatThrownBy(() -> new PlanStore(dataSource()).load())
        .isInstanceOfSatisfying(InvalidPolicyException.class, e -> assertThat(e.problems())
            .hasSize(3)
            .anySatisfy(p -> assertThat(p).startsWith("old: ").contains("is_active"))
            .anySatisfy(p -> assertThat(p).startsWith("free: ").contains("hourly_max_messages"))
            .anySatisfy(p -> assertThat(p).startsWith("pro: ").contains("daily_max_mesages")));
  }

  @Test
  void anAdminEditTakesEffectOnRefreshOrAfterMaxAge() throws Exception {
    AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-11-23T10:00:00Z"));
    PeriodClock clock = now::get;
    RefreshingPlans plans = new RefreshingPlans(new PlanStore(dataSource()), Duration.ofMinutes(1), clock);
    assertThat(plans.plan("free").orElseThrow().limit(PlanLimit.MESSAGES_PER_HOUR)).isEqualTo(Allowance.of(5));

    Databases.exec(dataSource(),
        "UPDATE limits_plan_setting SET setting_value = '7' WHERE plan_name = 'free' AND setting_key = 'hourly_max_messages'");
    assertThat(plans.plan("free").orElseThrow().limit(PlanLimit.MESSAGES_PER_HOUR)).as("cached")
        .isEqualTo(Allowance.of(5));
    assertThat(plans.refresh()).isTrue();
    assertThat(plans.plan("free").orElseThrow().limit(PlanLimit.MESSAGES_PER_HOUR)).isEqualTo(Allowance.of(7));

    Databases.exec(dataSource(),
        "UPDATE limits_plan_setting SET setting_value = '9' WHERE plan_name = 'free' AND setting_key = 'hourly_max_messages'");
    now.set(now.get().plusSeconds(59));
    assertThat(plans.plan("free").orElseThrow().limit(PlanLimit.MESSAGES_PER_HOUR)).isEqualTo(Allowance.of(7));
    now.set(now.get().plusSeconds(1));
    assertThat(plans.plan("free").orElseThrow().limit(PlanLimit.MESSAGES_PER_HOUR)).isEqualTo(Allowance.of(9));
    assertThat(plans.lastProblem()).isEmpty();
  }

  @Test
  void aBadEditKeepsTheLastGoodPlans() throws Exception {
    AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-11-23T10:00:00Z"));
    RefreshingPlans plans = new RefreshingPlans(new PlanStore(dataSource()), Duration.ofMinutes(1), now::get);

    Databases.exec(dataSource(),
        "UPDATE limits_plan_setting SET setting_value = '-3' WHERE plan_name = 'free' AND setting_key = 'hourly_max_messages'");
    assertThat(plans.refresh()).isFalse();
    assertThat(plans.plan("free").orElseThrow().limit(PlanLimit.MESSAGES_PER_HOUR)).isEqualTo(Allowance.of(5));
    assertThat(plans.lastProblem()).get().isInstanceOf(InvalidPolicyException.class);

    now.set(now.get().plusSeconds(120)); // the reload on read fails the same way
    assertThat(plans.plans()).containsOnlyKeys("free", "old", "pro");
    assertThat(plans.plan("free").orElseThrow().limit(PlanLimit.MESSAGES_PER_HOUR)).isEqualTo(Allowance.of(5));

    Databases.exec(dataSource(),
        "UPDATE limits_plan_setting SET setting_value = '6' WHERE plan_name = 'free' AND setting_key = 'hourly_max_messages'");
    assertThat(plans.refresh()).isTrue();
    assertThat(plans.plan("free").orElseThrow().limit(PlanLimit.MESSAGES_PER_HOUR)).isEqualTo(Allowance.of(6));
    assertThat(plans.lastProblem()).isEmpty();
  }

  @Test
  void databaseTemplatesOverrideTheShippedOnes() throws Exception {
    Databases.exec(dataSource(),
        "INSERT INTO limits_message (locale, message_key, template) VALUES ('fa', 'quota.messages-hour', "
            + "'سقف پیام ساعتی شما ({limit} عدد) پر شده است')");
    MessageCatalog messages = new PlanStore(dataSource()).messages(PlanMessages.chatBuilder());

    Plan free = new PlanStore(dataSource()).load().get("free");
    Decision denied = Denials.messagesPerHour(free, messages);
    Locale fa = Locale.forLanguageTag("fa");
    assertThat(denied.message(fa)).hasValue("سقف پیام ساعتی شما (5 عدد) پر شده است");
    assertThat(denied.message(Locale.ENGLISH)).isEqualTo(Denials.messagesPerHour(free, PlanMessages.chat())
        .message(Locale.ENGLISH));
    assertThat(Denials.messagesPerHour(free, PlanMessages.chat()).message(fa))
        .hasValue("شما به حد مجاز پیام\u200cهای ساعتی (5 عدد) رسیده\u200cاید");
  }
}
