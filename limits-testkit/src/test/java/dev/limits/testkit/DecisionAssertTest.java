package dev.limits.testkit;

import static dev.limits.testkit.LimitsAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.limits.Decision;
import dev.limits.Denial;
import dev.limits.LimitPolicy;
import dev.limits.LimitRequest;
import dev.limits.Limiter;
import dev.limits.Metric;
import dev.limits.UsageCounters;
import dev.limits.Window;
import dev.limits.spi.UsageCounter;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class DecisionAssertTest {

  static final Metric MESSAGES = Metric.count("messages");

  final Limiter limiter = Limiter.builder(UsageCounters.inMemory())
      .clock(() -> Instant.parse("2026-05-01T09:40:00Z")).build();
  final LimitPolicy plan = LimitPolicy.builder("p").allowModels("a").quota(MESSAGES, Window.hour(), 2).build();

  Decision send(String model) {
    return limiter.consume(plan, LimitRequest.of("u").model(model).amount(MESSAGES, 1));
  }

  @Test
  void passesOnTheRightDecisions() {
    assertThat(send("a")).isAllowed().hasUsed("messages@hour", 1).hasNoWarnings();
    assertThat(send("a")).isAllowed().hasWarningFor("messages@hour");
    assertThat(send("a")).isDenied().isQuotaExceeded().isDeniedBy("messages@hour")
        .isDeniedBy(Denial.Reason.QUOTA_EXCEEDED).hasRetryAfter(Duration.ofMinutes(20))
        .hasMessageContaining(Locale.ENGLISH, "hourly message limit (2)");
    assertThat(send("b")).isForbidden().isDeniedBy("model").hasDenialBy("model");
  }

  @Test
  void failsWithAMessageNamingWhatWasExpected() {
    Decision allowed = send("a");
    assertThatThrownBy(() -> assertThat(allowed).isDenied()).isInstanceOf(AssertionError.class)
        .hasMessageContaining("denied but it was allowed");
    assertThatThrownBy(() -> assertThat(allowed).hasUsed("messages@hour", 5)).isInstanceOf(AssertionError.class)
        .hasMessageContaining("<5>").hasMessageContaining("<1>");
    send("a");
    Decision denied = send("a");
    assertThatThrownBy(() -> assertThat(denied).isAllowed()).isInstanceOf(AssertionError.class)
        .hasMessageContaining("messages@hour");
    assertThatThrownBy(() -> assertThat(denied).isDeniedBy("tokens@day")).isInstanceOf(AssertionError.class)
        .hasMessageContaining("tokens@day");
    assertThatThrownBy(() -> assertThat(denied).isForbidden()).isInstanceOf(AssertionError.class)
        .hasMessageContaining("QUOTA_EXCEEDED");
  }

  @Test
  void anUnavailableCounterFailsClosedAsA503AndOpenAsAnUnknownOutcome() {
    UsageCounter down = new UnavailableUsageCounter("database down");
    LimitRequest request = LimitRequest.of("u").model("a").amount(MESSAGES, 1);
    Decision closed = Limiter.builder(down).build().consume(plan, request);
    assertThat(closed).isDenied().isUnavailable().isDeniedBy(Denial.Reason.STORAGE_UNAVAILABLE);
    assertThat(closed.httpStatus()).isEqualTo(503);
    assertThat(closed.outcomeUnknown()).isTrue();
    assertThatThrownBy(() -> assertThat(closed).isQuotaExceeded()).isInstanceOf(AssertionError.class)
        .hasMessageContaining("UNAVAILABLE");
    assertThat(Limiter.builder(down).failOpen(true).build().consume(plan, request)).isAllowed();
    assertThatThrownBy(() -> down.purge(0, 1)).isInstanceOf(dev.limits.spi.StorageException.class)
        .hasMessage("database down");
    assertThatThrownBy(() -> assertThat(send("a")).isUnavailable()).isInstanceOf(AssertionError.class)
        .hasMessageContaining("ALLOWED");
  }
}
