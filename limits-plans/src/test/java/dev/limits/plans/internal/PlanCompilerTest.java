package dev.limits.plans.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.limits.AccessRule;
import dev.limits.LimitPolicy;
import dev.limits.Quota;
import dev.limits.Window;
import dev.limits.plans.Allowance;
import dev.limits.plans.Plan;
import dev.limits.plans.PlanLimit;
import java.math.BigDecimal;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class PlanCompilerTest {

  static final ZoneId TEHRAN = ZoneId.of("Asia/Tehran");

  @Test
  void compilesToChatFilesAndChatFilePoliciesInTheSeedsOrder() {
    Plan plan = Plan.builder("pro")
        .limit(PlanLimit.TOKENS_PER_DAY, 50_000)
        .limit(PlanLimit.MESSAGES_PER_HOUR, 20)
        .limit(PlanLimit.MESSAGES_PER_3_HOURS, 40)
        .limit(PlanLimit.FREE_MODEL_TOKENS_PER_MONTH, 10_000)
        .limit(PlanLimit.FILES_PER_DAY, 5)
        .limit(PlanLimit.FILES_PER_CHAT, 2)
        .modelTokens("openai/gpt-4o", 1_000)
        .costBudget(new BigDecimal("5"))
        .allowModels("openai/gpt-4o").freeModels("meta/llama")
        .maxFileSize(1_000_000).allowExtensions("pdf")
        .activeFrom(Instant.parse("2026-01-01T00:00:00Z"))
        .build();
    PlanPolicies p = PlanCompiler.compile(plan, TEHRAN, DayOfWeek.SATURDAY);

    assertThat(ids(p.chat())).containsExactly("free-tokens-month", "images-day", "images-week", "images-month",
        "messages-hour", "messages-3h", "tokens-day", "model-tokens:openai/gpt-4o", "cost-month");
    assertThat(p.chat().zone()).isEqualTo(TEHRAN);
    assertThat(p.chat().quota("images-week").orElseThrow().window()).isEqualTo(Window.week(DayOfWeek.SATURDAY));
    assertThat(p.chat().quota("messages-3h").orElseThrow().window()).isEqualTo(Window.hours(3));
    assertThat(p.chat().quota("cost-month").orElseThrow().limit()).isEqualTo(5_000_000);
    Quota model = p.chat().quota("model-tokens:openai/gpt-4o").orElseThrow();
    assertThat(model.appliesTo("openai/gpt-4o")).isTrue();
    assertThat(model.appliesTo("openai/gpt-4o-mini")).isFalse();
    assertThat(p.chat().rules()).hasSize(2);
    assertThat(p.chat().rules().get(0)).isInstanceOf(AccessRule.Validity.class);
    assertThat(((AccessRule.AllowedModels) p.chat().rules().get(1)).models())
        .containsExactlyInAnyOrder("openai/gpt-4o", "meta/llama");
    assertThat(ids(p.files())).containsExactly("files-day");
    assertThat(p.files().rules()).hasSize(2);
    assertThat(ids(p.chatFiles())).containsExactly("files-chat");
    assertThat(p.chatFiles().quota("files-chat").orElseThrow().window()).isEqualTo(Window.lifetime());
  }

  @Test
  void modelIdsWithSlashesAndLongIdsMakeDistinctValidGroups() {
    String longId = "vendor/" + "x".repeat(150);
    assertThat(Names.groupName("a/b")).isNotEqualTo(Names.groupName("a_b")).doesNotContain("/");
    assertThat(Names.groupName(longId)).hasSizeLessThanOrEqualTo(64)
        .isNotEqualTo(Names.groupName(longId + "y"));
    Plan plan = Plan.builder("p").modelTokens(longId, 5).modelTokens("a b@c#d", 5).build();
    assertThat(PlanCompiler.compile(plan, ZoneId.of("UTC"), DayOfWeek.MONDAY).chat().quotas()).hasSize(5);
  }

  @Test
  void modelIdsWithWideWhitespaceDoNotShareAGroupWithTheirEscapes() {
    assertThat(Names.groupName("gpt\u2003x")).isNotEqualTo(Names.groupName("gpt 03x"));
    assertThat(Names.groupName("gpt\u1680")).isNotEqualTo(Names.groupName("gpt\u001680"));
    assertThat(Names.groupName("openai/gpt-4o")).isEqualTo("openai%2Fgpt-4o"); // unchanged for existing ids
  }

  @Test
  void aLongModelIdOfSupplementaryCharactersMakesAGroupOfWholeCharacters() {
    String id = "vendor" + "\uD83D\uDE00".repeat(40); // hashed, cut where a pair starts
    String name = Names.groupName(id);

    assertThat(name).hasSizeLessThanOrEqualTo(64).isNotEqualTo(Names.groupName(id + "y"));
    assertThat(name.codePoints()).noneMatch(c -> c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE);
    Plan plan = Plan.builder("p").modelTokens(id, 5).build();
    assertThat(PlanCompiler.compile(plan, ZoneId.of("UTC"), DayOfWeek.MONDAY).chat().quotas()).hasSize(4);
  }

  @Test
  void anUnlimitedAllowanceCompilesToNoRuleAndZeroToOne() {
    Plan open = Plan.builder("p").maxFileSize(Allowance.unlimited()).build();
    Plan emptyOnly = Plan.builder("p").maxFileSize(0).build();
    assertThat(PlanCompiler.compile(open, TEHRAN, DayOfWeek.SATURDAY).files().rules()).isEmpty();
    assertThat(PlanCompiler.compile(emptyOnly, TEHRAN, DayOfWeek.SATURDAY).files().rules()).hasSize(1);
    assertThat(PlanCompiler.compile(open, TEHRAN, DayOfWeek.SATURDAY).chat().quota("cost-month"))
        .as("no cost budget, no quota").isEmpty();
  }

  private static List<String> ids(LimitPolicy policy) {
    return policy.quotas().stream().map(Quota::id).collect(Collectors.toList());
  }
}
