package dev.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.limits.spi.ConsumeRequest;
import dev.limits.spi.ConsumeResult;
import dev.limits.spi.SettleRequest;
import dev.limits.spi.SettleResult;
import dev.limits.spi.SlotUsage;
import dev.limits.spi.StorageException;
import dev.limits.spi.UsageCounter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * What a host sees when the counter fails (a denial and an outage stay apart; whether a failed request may
 * have been counted), and the limiter's scheduled purge.
 */
class LimiterStorageFailureTest {

  static final Metric MESSAGES = Metric.count("messages");

  final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-03-02T10:15:00Z"));
  final PeriodClock clock = now::get;
  final LimitPolicy plan = LimitPolicy.builder("free").quota(MESSAGES, Window.day(), 1).build();
  final LimitRequest message = LimitRequest.of("u1").amount(MESSAGES, 1);

  /** The in-memory counter, which fails while {@link #down} says so, as it says. */
  static final class FlakyCounter implements UsageCounter {
    final UsageCounter memory = UsageCounters.inMemory();
    final AtomicReference<StorageException> down = new AtomicReference<>();
    final AtomicInteger failingPurges = new AtomicInteger();
    final List<Long> purgedAt = new CopyOnWriteArrayList<>();

    void check() {
      StorageException e = down.get();
      if (e != null) {
        throw e;
      }
    }

    @Override
    public ConsumeResult consume(ConsumeRequest request) {
      check();
      return memory.consume(request);
    }

    @Override
    public SettleResult settle(SettleRequest request) {
      check();
      return memory.settle(request);
    }

    @Override
    public List<SlotUsage> snapshot(String subject, long now) {
      check();
      return memory.snapshot(subject, now);
    }

    @Override
    public int purge(long now, int maxItems) {
      purgedAt.add(now);
      if (failingPurges.getAndDecrement() > 0) {
        throw new StorageException("connection refused");
      }
      return memory.purge(now, maxItems);
    }
  }

  @Test
  void tryConsumeThrowsTheStorageFailureWhenFailingClosedAndAnswersFalseOnlyForADenial() {
    FlakyCounter counter = new FlakyCounter();
    Limiter limiter = Limiter.builder(counter).clock(clock).build();

    assertThat(limiter.tryConsume(plan, message)).isTrue();
    assertThat(limiter.tryConsume(plan, message)).as("a denial").isFalse();

    StorageException outage = new StorageException("connection refused", new RuntimeException("reset"), false);
    counter.down.set(outage);
    assertThatThrownBy(() -> limiter.tryConsume(plan, LimitRequest.of("u2").amount(MESSAGES, 1)))
        .isSameAs(outage);
    assertThatThrownBy(() -> limiter.tryConsume(plan, message)).isSameAs(outage);

    Limiter open = Limiter.builder(counter).clock(clock).failOpen(true).build();
    assertThat(open.tryConsume(plan, message)).as("fail-open").isTrue();
  }

  @Test
  void anUnavailableDecisionSaysWhetherTheRequestMayHaveBeenCounted() {
    FlakyCounter counter = new FlakyCounter();
    Limiter closed = Limiter.builder(counter).clock(clock).build();
    Limiter open = Limiter.builder(counter).clock(clock).failOpen(true).build();

    counter.down.set(new StorageException("broken pipe", new RuntimeException(), true));
    Decision unknown = closed.consume(plan, message);
    assertThat(unknown.outcome()).isEqualTo(Decision.Outcome.UNAVAILABLE);
    assertThat(unknown.outcomeUnknown()).isTrue();
    assertThat(closed.acquire(plan, message).decision().outcomeUnknown()).isTrue();
    assertThat(open.consume(plan, message).outcomeUnknown()).isTrue();
    assertThat(new StorageException("down").outcomeUnknown()).as("the safe default").isTrue();

    counter.down.set(new StorageException("rolled back", new RuntimeException(), false));
    Decision notCounted = closed.consume(plan, message);
    assertThat(notCounted.outcome()).isEqualTo(Decision.Outcome.UNAVAILABLE);
    assertThat(notCounted.outcomeUnknown()).isFalse();

    counter.down.set(null);
    assertThat(closed.consume(plan, message).outcomeUnknown()).isFalse();
    assertThat(closed.consume(plan, message).outcomeUnknown()).as("a quota denial").isFalse();
  }

  @Test
  void aScheduledPurgeRefundsAnAbandonedReservationAtTheLimitersClockAndOutlivesAFailure()
      throws InterruptedException {
    FlakyCounter counter = new FlakyCounter();
    counter.failingPurges.set(2);
    ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
    try {
      Limiter limiter = Limiter.builder(counter).clock(clock).reservationTtl(Duration.ofMinutes(10))
          .purgeEvery(Duration.ofMillis(5), executor).build();
      Reservation abandoned = limiter.acquire(plan, message); // never committed, cancelled nor closed
      assertThat(abandoned.isGranted()).isTrue();
      assertThat(limiter.consume(plan, message).outcome()).isEqualTo(Decision.Outcome.QUOTA_EXCEEDED);

      now.set(now.get().plus(Duration.ofMinutes(11)));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (used(limiter) != 0 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }

      assertThat(used(limiter)).as("refunded").isZero();
      assertThat(counter.purgedAt.size()).as("runs, two of them failed").isGreaterThan(2);
      List<Long> times = new ArrayList<>(counter.purgedAt);
      assertThat(times.get(times.size() - 1)).isEqualTo(now.get().toEpochMilli());
      assertThat(limiter.consume(plan, message).isAllowed()).isTrue();
    } finally {
      executor.shutdownNow();
    }
  }

  @Test
  void purgeEveryRejectsBadArguments() {
    ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
    try {
      Limiter.Builder builder = Limiter.builder(UsageCounters.inMemory());
      assertThatThrownBy(() -> builder.purgeEvery(Duration.ZERO, executor))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT0S");
      assertThatThrownBy(() -> builder.purgeEvery(Duration.ofDays(2), executor))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT48H");
      assertThatThrownBy(() -> builder.purgeEvery(null, executor))
          .isInstanceOf(NullPointerException.class).hasMessageContaining("interval");
      assertThatThrownBy(() -> builder.purgeEvery(Duration.ofMinutes(1), null))
          .isInstanceOf(NullPointerException.class).hasMessageContaining("executor");
    } finally {
      executor.shutdownNow();
    }
  }

  private long used(Limiter limiter) {
    return limiter.usage(plan, "u1").quotas().get(0).used();
  }
}
