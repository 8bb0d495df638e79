package dev.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random request sequences checked against a naive reference model: a log of every counted event, from which
 * each quota's usage is summed afresh for every request. The model shares no code with the limiter but
 * {@link Window#periodAt}, whose own oracle test lives apart.
 */
class LimiterModelTest {

  static final Metric MESSAGES = Metric.count("messages");
  static final Metric TOKENS = Metric.tokens("tokens");

  record Event(Instant at, Metric metric, long amount) {}

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
  void decisionsAndUsageMatchTheModel(long seed) {
    Random random = new Random(seed);
    ZoneId zone = ZoneId.of(List.of("Europe/Berlin", "Asia/Tehran", "America/Santiago", "UTC").get((int) (seed % 4)));
    LimitPolicy policy = LimitPolicy.builder("model").zone(zone)
        .quota(MESSAGES, Window.hour(), 4)
        .quota(MESSAGES, Window.hours(3), 9)
        .quota(MESSAGES, Window.day(), 15)
        .quota(MESSAGES, Window.week(java.time.DayOfWeek.SATURDAY), 40)
        .quota(MESSAGES, Window.rolling(Duration.ofMinutes(30), Duration.ofMinutes(5)), 3)
        .quota(TOKENS, Window.day(), 5_000)
        .quota(TOKENS, Window.month(), 30_000)
        .quota(TOKENS, Window.lifetime(), 200_000)
        .build();
    AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2025-10-20T00:00:00Z")
        .plus(Duration.ofMinutes(random.nextInt(60 * 24 * 200))));
    Limiter limiter = Limiter.builder(UsageCounters.inMemory()).clock(now::get).build();
    List<Event> log = new ArrayList<>();

    for (int step = 0; step < 1_500; step++) {
      int jump = random.nextInt(10);
      now.updateAndGet(t -> t.plus(Duration.ofMinutes(jump < 6 ? random.nextInt(20)
          : jump < 9 ? random.nextInt(600) : random.nextInt(60 * 24 * 9))));
      LimitRequest request = LimitRequest.of("u");
      boolean messages = random.nextInt(4) != 0;
      boolean tokens = random.nextInt(4) != 0;
      long tokenAmount = random.nextInt(10) == 0 ? 0 : random.nextInt(2_000);
      if (messages) {
        request = request.amount(MESSAGES, 1);
      }
      if (tokens) {
        request = request.amount(TOKENS, tokenAmount);
      }
      List<String> expectedDenials = new ArrayList<>();
      for (Quota q : policy.quotas()) {
        Long amount = request.amounts().asMap().get(q.metric());
        if (amount == null) {
          continue;
        }
        long used = modelUsed(log, q, now.get(), zone);
        boolean fits = amount == 0 ? used < q.limit() : used + amount <= q.limit();
        if (!fits) {
          expectedDenials.add(q.id());
        }
      }
      Decision decision = limiter.consume(policy, request);
      assertThat(decision.denials()).extracting(Denial::ruleId)
          .as("step %s at %s in %s", step, now.get(), zone).containsExactlyElementsOf(expectedDenials);
      if (decision.isAllowed()) {
        if (messages) {
          log.add(new Event(now.get(), MESSAGES, 1));
        }
        if (tokens) {
          log.add(new Event(now.get(), TOKENS, tokenAmount));
        }
      }
      if (step % 50 == 0) {
        for (QuotaUsage u : limiter.usage(policy, "u").quotas()) {
          assertThat(u.used()).as("usage of %s at step %s", u.quota().id(), step)
              .isEqualTo(modelUsed(log, u.quota(), now.get(), zone));
          assertThat(u.used()).isLessThanOrEqualTo(u.limit());
        }
      }
    }
  }

  /** The usage that counts for {@code q} at {@code t}: the events in its period, or rolling buckets. */
  static long modelUsed(List<Event> log, Quota q, Instant t, ZoneId zone) {
    Period current = q.window().periodAt(t, zone);
    long sum = 0;
    for (Event e : log) {
      if (!e.metric().equals(q.metric())) {
        continue;
      }
      if (q.window() instanceof Window.Rolling) {
        Window.Rolling r = (Window.Rolling) q.window();
        Instant oldest = current.start().minus(r.granularity().multipliedBy(r.lookback()));
        Instant bucket = q.window().periodAt(e.at(), zone).start();
        if (!bucket.isBefore(oldest)) {
          sum += e.amount();
        }
      } else if (current.contains(e.at())) {
        sum += e.amount();
      }
    }
    return sum;
  }
}
