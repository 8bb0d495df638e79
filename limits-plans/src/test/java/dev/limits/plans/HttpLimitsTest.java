package dev.limits.plans;

import static org.assertj.core.api.Assertions.assertThat;

import dev.limits.spi.UsageCounter;
import dev.limits.testkit.UnavailableUsageCounter;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HttpLimitsTest extends GateFixture {

  final Plan plan = Plan.builder("p").limit(PlanLimit.MESSAGES_PER_HOUR, 20).limit(PlanLimit.MESSAGES_PER_DAY, 100)
      .limit(PlanLimit.IMAGES_PER_DAY, Allowance.unlimited()).limit(PlanLimit.IMAGES_PER_WEEK, Allowance.unlimited())
      .limit(PlanLimit.IMAGES_PER_MONTH, Allowance.unlimited())
      .build();

  @Test
  void aQuotaDenialIs429WithRetryAfterTheNextBoundaryAndRateLimitFields() {
    set("2026-03-02T10:00:00Z");
    for (int i = 0; i < 20; i++) {
      send("u1", plan, AiCall.message("m"), AiUsage.of(1));
    }
    set("2026-03-02T10:30:00Z");
    HttpLimits h = HttpLimits.of(gate.before("u1", plan, AiCall.message("m")));
    assertThat(h.status()).isEqualTo(429);
    assertThat(h.retryAfter()).hasValue(1800);
    assertThat(h.rateLimitPolicy()).hasValue("\"messages-hour\";q=20;w=3600, \"messages-day\";q=100;w=86400");
    assertThat(h.rateLimit()).hasValue("\"messages-hour\";r=0;t=1800, \"messages-day\";r=80;t=48600");
    assertThat(h.headers()).containsExactly(Map.entry("Retry-After", "1800"),
        Map.entry("RateLimit-Policy", "\"messages-hour\";q=20;w=3600, \"messages-day\";q=100;w=86400"),
        Map.entry("RateLimit", "\"messages-hour\";r=0;t=1800, \"messages-day\";r=80;t=48600"));
  }

  @Test
  void anAllowedCallReportsWhatRemainsAfterIt() {
    set("2026-03-02T10:59:59.500Z");
    HttpLimits h = HttpLimits.of(gate.before("u1", plan, AiCall.message("m")));
    assertThat(h.status()).isEqualTo(200);
    assertThat(h.retryAfter()).isEmpty();
    assertThat(h.rateLimit()).hasValue("\"messages-hour\";r=19;t=1, \"messages-day\";r=99;t=46801");
    assertThat(h.headers()).doesNotContainKey("Retry-After");
  }

  @Test
  void aForbiddenCallIs403WithoutRateLimitFields() {
    HttpLimits h = HttpLimits.of(gate.before("u1", null, AiCall.message("m")));
    assertThat(h.status()).isEqualTo(403);
    assertThat(h.headers()).isEmpty();
  }

  @Test
  void lifetimeQuotasHaveNoWindowNoResetAndNoRetryAfter() {
    Plan files = Plan.builder("f").limit(PlanLimit.FILES_PER_CHAT, 1).build();
    send("u1", files, AiCall.upload().chat("c").file(FileSpec.named("a.pdf", 1)), AiUsage.of(0));
    HttpLimits h = HttpLimits.of(gate.before("u1", files, AiCall.upload().chat("c").file(FileSpec.named("b.pdf", 1))));
    assertThat(h.status()).isEqualTo(429);
    assertThat(h.retryAfter()).isEmpty();
    assertThat(h.rateLimitPolicy()).hasValue("\"files-chat\";q=1");
    assertThat(h.rateLimit()).hasValue("\"files-chat\";r=0");
  }

  @Test
  void aFailedCounterIs503AndFailsClosed() {
    UsageCounter broken = new UnavailableUsageCounter("database down");
    gate = AiGate.builder(broken).clock(clock).build();
    AiPermit p = gate.before("u1", plan, AiCall.message("m"));
    assertThat(p.isGranted()).isFalse();
    assertThat(HttpLimits.of(p).status()).isEqualTo(503);
    assertThat(HttpLimits.of(p).headers()).as("no RateLimit fields: nothing was counted").isEmpty();
    assertThat(p.message(FA)).isPresent();
    gate = AiGate.builder(broken).clock(clock).failOpen(true).build();
    assertThat(gate.before("u1", plan, AiCall.message("m")).isGranted()).isTrue();
  }

  @Test
  void policyNamesAreStructuredFieldStrings() {
    assertThat(HttpLimits.sfString("model-tokens:a\"b\\c")).isEqualTo("\"model-tokens:a\\\"b\\\\c\"");
    assertThat(HttpLimits.sfString("مدل")).isEqualTo("\"???\"");
    assertThat(HttpLimits.sfInteger(Long.MAX_VALUE)).isEqualTo(999_999_999_999_999L);
    assertThat(HttpLimits.sfInteger(42)).isEqualTo(42);
  }
}
