package dev.limits.plans;

import static dev.limits.testkit.LimitsAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.limits.Denial;
import dev.limits.QuotaUsage;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Members of an organisation drawing on its shared pool through {@link AiGate}. */
class AiGateOrganisationTest extends GateFixture {

  static final String GPT = "openai/gpt-4o";
  static final String LLAMA = "meta/llama-3-8b";

  final Plan pro = Plan.builder("pro").limit(PlanLimit.TOKENS_PER_DAY, 1000).freeModels(LLAMA).build();
  final Organisation acme = new Organisation("acme", OrganisationPlan.builder("team")
      .tokensPerDay(Allowance.of(1500)).costBudget(new BigDecimal("1.00")).build());

  long orgUsed(String quotaId) {
    return gate.usage(acme).stream().filter(u -> u.quota().id().equals(quotaId)).mapToLong(QuotaUsage::used)
        .sum();
  }

  @Test
  void membersDrawOnOneSharedPoolAndThePoolDeniesWhatEachPlanWouldAllow() {
    AiPermit a = gate.before("alice", pro, acme, AiCall.message(GPT).estimatedTokens(800));
    assertThat(a.decision()).isAllowed();
    a.commit(AiUsage.of(800));
    AiPermit b = gate.before("bob", pro, acme, AiCall.message(GPT).estimatedTokens(800));

    assertThat(b.decision()).isQuotaExceeded().isDeniedBy("org-tokens-day")
        .hasMessageContaining(EN, "Your organisation has used up its shared tokens for today (1500)")
        .hasMessageContaining(FA, "توکن" + ZWNJ + "های مشترک امروز سازمان شما");
    Denial denial = b.decision().denial().orElseThrow();
    assertThat(denial.subject()).isEqualTo("org/acme");
    assertThat(used("bob", pro, "tokens-day")).as("the pool's refusal counts against nobody").isZero();
    assertThat(orgUsed("org-tokens-day")).isEqualTo(800);
    assertThat(used("alice", pro, "tokens-day")).isEqualTo(800);
  }

  @Test
  void settlingACallSettlesTheOrganisationWithTheUser() {
    AiPermit p = gate.before("alice", pro, acme, AiCall.message(GPT).estimatedTokens(900)
        .estimatedCost(new BigDecimal("0.50")));
    assertThat(p.decision()).isAllowed();
    p.commit(AiUsage.of(300).withCost(new BigDecimal("0.10")));
    assertThat(orgUsed("org-tokens-day")).isEqualTo(300);
    assertThat(orgUsed("org-cost-month")).isEqualTo(100_000);
    assertThat(used("alice", pro, "tokens-day")).isEqualTo(300);

    AiPermit cancelled = gate.before("bob", pro, acme, AiCall.message(GPT).estimatedTokens(400));
    cancelled.cancel();
    assertThat(orgUsed("org-tokens-day")).isEqualTo(300);
  }

  @Test
  void theUsersOwnPlanStillDecidesFirstAndFreeModelsLeaveThePoolAlone() {
    AiPermit big = gate.before("alice", pro, acme, AiCall.message(GPT).estimatedTokens(1200));
    assertThat(big.decision()).isQuotaExceeded().isDeniedBy("tokens-day");
    assertThat(big.decision().denial().orElseThrow().subject()).isEqualTo("alice");
    AiPermit free = gate.before("alice", pro, acme, AiCall.message(LLAMA).estimatedTokens(5000));
    assertThat(free.decision()).isAllowed();
    free.commit(AiUsage.of(5000));
    assertThat(orgUsed("org-tokens-day")).isZero();
  }

  @Test
  void validateReportsThePoolsDenialAndUsageBesideTheUsers() {
    gate.before("alice", pro, acme, AiCall.message(GPT).estimatedTokens(1000)).commit(AiUsage.of(1000));
    Validation v = gate.validate("bob", pro, acme, AiCall.message(GPT).estimatedTokens(600));
    assertThat(v.denials()).extracting(Denial::ruleId).containsExactly("org-tokens-day");
    assertThat(v.usage()).extracting(QuotaUsage::subject).contains("bob", "org/acme");
    assertThat(orgUsed("org-tokens-day")).isEqualTo(1000);
  }

  @Test
  void concurrentMembersNeverOverdrawThePool() throws Exception {
    Plan roomy = Plan.builder("roomy").limit(PlanLimit.TOKENS_PER_DAY, 400).build();
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<long[]>> results = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      String user = "member-" + (t % 4);
      results.add(pool.submit(() -> {
        start.await();
        long granted = 0;
        long[] perUser = new long[1];
        for (int i = 0; i < 60; i++) {
          long tokens = ThreadLocalRandom.current().nextLong(1, 60);
          try (AiPermit p = gate.before(user, roomy, acme, AiCall.message(GPT).estimatedTokens(tokens))) {
            if (p.isGranted()) {
              p.commit(AiUsage.of(tokens));
              granted += tokens;
            }
          }
        }
        perUser[0] = granted;
        return perUser;
      }));
    }
    start.countDown();
    long total = 0;
    for (Future<long[]> f : results) {
      total += f.get(60, TimeUnit.SECONDS)[0];
    }
    pool.shutdown();
    assertThat(total).isLessThanOrEqualTo(1500);
    assertThat(orgUsed("org-tokens-day")).isEqualTo(total);
    long members = 0;
    for (int m = 0; m < 4; m++) {
      long used = used("member-" + m, roomy, "tokens-day");
      assertThat(used).isLessThanOrEqualTo(400);
      members += used;
    }
    assertThat(members).as("every token the pool counted, a member counted").isEqualTo(total);
  }
}
