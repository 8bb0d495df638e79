package dev.limits.micrometer;

import dev.limits.UsageCounters;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.limits.Amounts;
import dev.limits.LimitPolicy;
import dev.limits.LimitRequest;
import dev.limits.Limiter;
import dev.limits.Metric;
import dev.limits.Reservation;
import dev.limits.Window;
import dev.limits.spi.StorageException;
import dev.limits.spi.UsageCounter;
import dev.limits.testkit.FakeClock;
import dev.limits.testkit.UnavailableUsageCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class LimitsMetricsTest {

  static final Metric MESSAGES = Metric.count("messages");
  static final Metric TOKENS = Metric.tokens("tokens");
  static final String USER = "user-42";

  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final FakeClock clock = FakeClock.at("2026-03-02T10:15:00Z");
  final LimitPolicy pro = LimitPolicy.builder("pro")
      .quota(MESSAGES, Window.hour(), 3)
      .quota(TOKENS, Window.day(), 1000)
      .allowModels("gpt")
      .build();
  final String hourly = pro.quotas().get(0).id();
  final String daily = pro.quotas().get(1).id();

  Limiter limiter(UsageCounter counter) {
    return Limiter.builder(TimedUsageCounter.wrap(counter, registry)).clock(clock)
        .listener(LimitsMetrics.of(registry)).warningThreshold(0.6).build();
  }

  double count(String name, String... tags) {
    return registry.find(name).tags(tags).counters().stream().mapToDouble(c -> c.count()).sum();
  }

  @Test
  void decisionsAreCountedByPolicyOutcomeAndTheQuotaThatDenied() {
    Limiter limiter = limiter(UsageCounters.inMemory());
    for (int i = 0; i < 4; i++) {
      limiter.consume(pro, LimitRequest.of(USER).model("gpt").amount(MESSAGES, 1));
    }
    limiter.consume(pro, LimitRequest.of(USER).model("other").amount(MESSAGES, 1));
    limiter.check(pro, LimitRequest.of(USER).model("gpt").amount(MESSAGES, 1));

    assertThat(count(LimitsMetrics.DECISIONS, "policy", "pro", "outcome", "allowed", "quota", "none")).isEqualTo(3);
    assertThat(count(LimitsMetrics.DECISIONS, "policy", "pro", "outcome", "quota_exceeded", "quota", hourly))
        .isEqualTo(1);
    assertThat(count(LimitsMetrics.DECISIONS, "policy", "pro", "outcome", "forbidden", "quota", "model"))
        .isEqualTo(1);
    assertThat(count(LimitsMetrics.DECISIONS)).as("check counts nothing, so it is not counted").isEqualTo(5);
    // 2 of 3 and 3 of 3 are past 60 %.
    assertThat(count(LimitsMetrics.WARNINGS, "policy", "pro", "quota", hourly)).isEqualTo(2);
  }

  @Test
  void commitsAndOverrunsAreCountedPerMetric() {
    Limiter limiter = limiter(UsageCounters.inMemory());
    Reservation r = limiter.acquire(pro, LimitRequest.of(USER).amount(MESSAGES, 1).amount(TOKENS, 100));
    r.commit(Amounts.of(MESSAGES, 1).and(TOKENS, 250));
    Reservation s = limiter.acquire(pro, LimitRequest.of(USER).amount(MESSAGES, 1).amount(TOKENS, 100));
    s.commit(Amounts.of(MESSAGES, 1).and(TOKENS, 40));

    assertThat(count(LimitsMetrics.COMMITS, "policy", "pro")).isEqualTo(2);
    assertThat(count(LimitsMetrics.OVERRUNS, "policy", "pro", "metric", "tokens")).isEqualTo(1);
    assertThat(count(LimitsMetrics.OVERRUNS, "metric", "messages")).isZero();
  }

  @Test
  void aStoreOutageIsCountedAsUnavailableAndTimedAsAFailure() {
    Limiter limiter = limiter(new UnavailableUsageCounter("database down"));
    assertThat(limiter.consume(pro, LimitRequest.of(USER).amount(MESSAGES, 1)).isAllowed()).isFalse();
    assertThatThrownBy(() -> limiter.tryConsume(pro, LimitRequest.of(USER).amount(MESSAGES, 1)))
        .isInstanceOf(StorageException.class);

    assertThat(count(LimitsMetrics.DECISIONS, "outcome", "unavailable", "quota", "storage")).isEqualTo(2);
    assertThat(registry.find(TimedUsageCounter.STORE).tags("operation", "consume").timers())
        .allSatisfy(t -> assertThat(t.getId().getTag("outcome")).isIn("failure", "unknown"))
        .extracting(t -> t.count()).containsOnly(2L);
  }

  @Test
  void theStoreIsTimedPerOperationAndOutcome() {
    Limiter limiter = limiter(UsageCounters.inMemory());
    limiter.consume(pro, LimitRequest.of(USER).amount(MESSAGES, 1));
    limiter.usage(pro, USER);
    limiter.purge(10);

    assertThat(registry.get(TimedUsageCounter.STORE).tags("operation", "consume", "outcome", "success").timer()
        .count()).isEqualTo(2); // the consume and the usage report's check
    assertThat(registry.get(TimedUsageCounter.STORE).tags("operation", "purge", "outcome", "success").timer()
        .count()).isEqualTo(1);
  }

  @Test
  void noMeterIsEverTaggedWithASubject() {
    Limiter limiter = limiter(UsageCounters.inMemory());
    for (int i = 0; i < 50; i++) {
      limiter.consume(pro, LimitRequest.of("user-" + i).model(i % 2 == 0 ? "gpt" : "other")
          .amount(MESSAGES, 1).amount(TOKENS, 30));
    }
    limiter.acquire(pro, LimitRequest.of("user-7").amount(TOKENS, 1)).commit(Amounts.of(TOKENS, 2));
    for (Meter m : registry.getMeters()) {
      for (Tag t : m.getId().getTags()) {
        assertThat(t.getValue()).as(m.getId().toString()).doesNotStartWith("user-");
      }
    }
    assertThat(registry.getMeters()).hasSizeLessThan(15);
  }
}
