package dev.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LimiterConcurrencyTest {

  static final Metric MESSAGES = Metric.count("messages");
  static final Metric TOKENS = Metric.tokens("tokens");

  @Test
  void reservationsRacingOnOneSubjectNeverOvershootAndLoseNothing() throws Exception {
    LimitPolicy plan = LimitPolicy.builder("race")
        .quota(MESSAGES, Window.hour(), 1_500)
        .quota(MESSAGES, Window.day(), 2_000)
        .quota(TOKENS, Window.day(), 400_000)
        .build();
    Limiter limiter = Limiter.builder(UsageCounters.inMemory())
        .clock(() -> Instant.parse("2026-04-01T12:30:00Z")).build();
    int perThread = 2_000;
    AtomicLong messages = new AtomicLong();
    AtomicLong tokens = new AtomicLong();
    race(8, thread -> {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      for (int i = 0; i < perThread; i++) {
        long estimate = 1 + random.nextInt(400);
        try (Reservation r = limiter.acquire(plan,
            LimitRequest.of("one").amount(MESSAGES, 1).amount(TOKENS, estimate))) {
          if (!r.isGranted()) {
            continue;
          }
          if (random.nextInt(5) == 0) {
            continue; // the AI call failed: close() refunds
          }
          long actual = random.nextLong(estimate + 1);
          r.commit(Amounts.of(TOKENS, actual));
          messages.incrementAndGet();
          tokens.addAndGet(actual);
        }
      }
    });
    UsageReport report = limiter.usage(plan, "one");
    assertThat(report.quota("messages@hour").orElseThrow().used()).isEqualTo(messages.get()).isLessThanOrEqualTo(1_500);
    assertThat(report.quota("messages@day").orElseThrow().used()).isEqualTo(messages.get());
    assertThat(report.quota("tokens@day").orElseThrow().used()).isEqualTo(tokens.get()).isLessThanOrEqualTo(400_000);
    assertThat(messages.get()).as("the limits were actually reached").isGreaterThan(1_000);
  }

  /** Consume (the in-memory counter's fast path) racing on one subject: no limit exceeded, nothing lost. */
  @Test
  void consumesRacingOnOneSubjectNeverOvershootAndLoseNothing() throws Exception {
    LimitPolicy plan = LimitPolicy.builder("race")
        .quota(MESSAGES, Window.hour(), 6_000)
        .quota(MESSAGES, Window.day(), 7_000)
        .quota(TOKENS, Window.day(), 300_000)
        .build();
    Limiter limiter = Limiter.builder(UsageCounters.inMemory())
        .clock(() -> Instant.parse("2026-04-01T12:30:00Z")).build();
    AtomicLong messages = new AtomicLong();
    AtomicLong tokens = new AtomicLong();
    race(8, thread -> {
      Random random = new Random(thread);
      for (int i = 0; i < 1_000; i++) {
        long amount = random.nextInt(200);
        if (limiter.consume(plan, LimitRequest.of("one").amount(MESSAGES, 1).amount(TOKENS, amount))
            .isAllowed()) {
          messages.incrementAndGet();
          tokens.addAndGet(amount);
        }
      }
    });
    UsageReport report = limiter.usage(plan, "one");
    assertThat(report.quota("messages@hour").orElseThrow().used()).isEqualTo(messages.get())
        .isLessThanOrEqualTo(6_000);
    assertThat(report.quota("messages@day").orElseThrow().used()).isEqualTo(messages.get());
    assertThat(report.quota("tokens@day").orElseThrow().used()).isEqualTo(tokens.get())
        .isLessThanOrEqualTo(300_000);
    assertThat(tokens.get()).as("the token limit was actually reached").isGreaterThan(299_000);
  }

  /**
   * tryConsume (allocation-free on a plan of one metric) racing on one subject over six windows, with amounts
   * of 0 to 3: no window exceeds its limit, and every window counts exactly what was allowed.
   */
  @Test
  void tryConsumesRacingOnOneSubjectNeverOvershootAndLoseNothing() throws Exception {
    LimitPolicy plan = LimitPolicy.builder("race").zone("Europe/Berlin")
        .quota(MESSAGES, Window.hour(), 9_000)
        .quota(MESSAGES, Window.hours(3), 9_500)
        .quota(MESSAGES, Window.hours(12), 10_000)
        .quota(MESSAGES, Window.day(), 8_000)
        .quota(MESSAGES, Window.week(), 20_000)
        .quota(MESSAGES, Window.month(), 30_000)
        .build();
    Limiter limiter = Limiter.builder(UsageCounters.inMemory())
        .clock(() -> Instant.parse("2026-04-01T12:30:00Z")).build();
    AtomicLong counted = new AtomicLong();
    race(8, thread -> {
      Random random = new Random(thread);
      for (int i = 0; i < 2_000; i++) {
        long amount = random.nextInt(4);
        if (limiter.tryConsume(plan, LimitRequest.of("one").amount(MESSAGES, amount))) {
          counted.addAndGet(amount);
        }
      }
    });
    UsageReport report = limiter.usage(plan, "one");
    for (QuotaUsage quota : report.quotas()) {
      assertThat(quota.used()).as(quota.quota().id()).isEqualTo(counted.get());
    }
    assertThat(counted.get()).as("the day's limit was reached").isGreaterThan(7_990).isLessThanOrEqualTo(8_000);
  }

  interface Body {
    void run(int thread) throws Exception;
  }

  /** Runs {@code body} on {@code threads} threads started together, and rethrows the first failure. */
  static void race(int threads, Body body) throws Exception {
    CyclicBarrier start = new CyclicBarrier(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        futures.add(pool.submit(() -> {
          start.await();
          body.run(thread);
          return null;
        }));
      }
      for (Future<?> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdown();
    }
  }
}
