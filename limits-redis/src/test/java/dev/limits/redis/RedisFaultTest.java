package dev.limits.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.limits.Decision;
import dev.limits.LimitPolicy;
import dev.limits.LimitRequest;
import dev.limits.Limiter;
import dev.limits.Metric;
import dev.limits.Window;
import dev.limits.spi.Charge;
import dev.limits.spi.ConsumeRequest;
import dev.limits.spi.ConsumeRequest.Mode;
import dev.limits.spi.ConsumeResult;
import dev.limits.spi.ConsumeResult.Status;
import dev.limits.spi.Slot;
import dev.limits.spi.StorageException;
import dev.limits.testkit.FakeClock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Faults on a server of the test's own, which writes every command to its append-only file before it answers
 * ({@code appendfsync always}), as a store that must not forget acknowledged usage would be configured: the
 * server killed mid-run and restarted, and calls that time out. Every call gets an answer or a
 * {@link StorageException} within a bounded time; one said surely not applied ({@code outcomeUnknown()}
 * false) was not, since its retry under the same id counts it (a retry of an applied one answers DUPLICATE);
 * and afterwards the counters equal the consumes reported applied, plus at most those without an id whose
 * outcome was unknown.
 */
class RedisFaultTest {

  private static final long T0 = 1_767_225_600_000L;
  private static final Slot HOUR = new Slot("messages@hour", T0, T0 + 3_600_000L, 0);
  private static final Duration TIMEOUT = Duration.ofMillis(500);
  private static final long BOUND_NANOS = Duration.ofSeconds(10).toNanos();
  private static final int THREADS = 8;

  private final RedisServers.Server server =
      RedisServers.start(List.of("--appendonly", "yes", "--appendfsync", "always"));
  private final RedisUsageCounter counter = RedisUsageCounter.builder(server.uri()).timeout(TIMEOUT).build();

  /** One consume and what it answered. */
  private record Outcome(String id, boolean withId, Status status, StorageException failure) {}

  @AfterEach
  void stop() {
    counter.close();
    server.kill();
  }

  private static ConsumeRequest request(String id, boolean withId) {
    return new ConsumeRequest("user-1", List.of(new Charge(HOUR, Long.MAX_VALUE, 1)), Mode.ENFORCE,
        withId ? id : null, T0 + 3_600_000L, T0);
  }

  /** Consumes once, recording what came back, and checks that it came back in bounded time. */
  private Outcome attempt(String id, boolean withId) {
    long started = System.nanoTime();
    Outcome outcome;
    try {
      ConsumeResult result = counter.consume(request(id, withId));
      outcome = new Outcome(id, withId, result.status(), null);
    } catch (StorageException e) {
      outcome = new Outcome(id, withId, null, e);
    }
    assertThat(System.nanoTime() - started).as("a call answers in bounded time").isLessThan(BOUND_NANOS);
    return outcome;
  }

  @Test
  void aServerKilledMidRunAndRestartedLosesNothingAcknowledgedAndCountsNothingTwice() throws Exception {
    Queue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
    CountDownLatch before = new CountDownLatch(300);
    CountDownLatch failures = new CountDownLatch(30);
    CountDownLatch after = new CountDownLatch(300);
    AtomicBoolean restarted = new AtomicBoolean();
    AtomicBoolean done = new AtomicBoolean();
    AtomicInteger sequence = new AtomicInteger();
    ExecutorService executor = Executors.newFixedThreadPool(THREADS);
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      futures.add(executor.submit(() -> {
        while (!done.get()) {
          int n = sequence.incrementAndGet();
          Outcome outcome = attempt("op-" + n, n % 2 == 0);
          outcomes.add(outcome);
          if (outcome.failure() == null) {
            before.countDown();
            if (restarted.get()) {
              after.countDown();
            }
          } else {
            failures.countDown();
            LockSupport.parkNanos(1_000_000); // a failing thread backs off instead of spinning
          }
        }
        return null;
      }));
    }
    try {
      assertThat(before.await(2, TimeUnit.MINUTES)).as("consumes before the crash").isTrue();
      server.kill();
      assertThat(failures.await(2, TimeUnit.MINUTES)).as("failures while the server is down").isTrue();
      server.start();
      restarted.set(true);
      assertThat(after.await(2, TimeUnit.MINUTES)).as("consumes after the restart").isTrue();
    } finally {
      done.set(true);
      for (Future<?> future : futures) {
        future.get(2, TimeUnit.MINUTES);
      }
      executor.shutdownNow();
    }
    assertSettledExactly(outcomes);
  }

  @Test
  void callsThatTimeOutAreReportedAsMaybeAppliedAndTheirRetriesCountOnce() throws Exception {
    List<Outcome> outcomes = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      outcomes.add(attempt("warm-" + i, i % 2 == 0));
    }
    // The server holds every client's commands for three seconds, then runs them: each call times out
    // although the server will apply it.
    RedisServers.cli(server.port, "CLIENT", "PAUSE", "3000", "ALL");
    ExecutorService executor = Executors.newFixedThreadPool(THREADS);
    List<Future<Outcome>> futures = new ArrayList<>();
    for (int i = 0; i < THREADS; i++) {
      int n = i;
      futures.add(executor.submit(() -> attempt("paused-" + n, n % 2 == 0)));
    }
    List<Outcome> paused = new ArrayList<>();
    for (Future<Outcome> future : futures) {
      paused.add(future.get(2, TimeUnit.MINUTES));
    }
    executor.shutdownNow();
    assertThat(paused).allSatisfy(o -> {
      assertThat(o.failure()).as("a call the paused server held").isNotNull();
      assertThat(o.failure().outcomeUnknown()).as("a timeout may have been applied").isTrue();
    });
    outcomes.addAll(paused);
    assertSettledExactly(outcomes);
  }

  @Test
  void aLimiterOverADownServerAnswersUnavailableOrFailsOpenByChoice() {
    LimitPolicy policy = LimitPolicy.builder("free").zone(ZoneOffset.UTC)
        .quota(Metric.count("messages"), Window.day(), 10).build();
    LimitRequest request = LimitRequest.of("user-1").amount(Metric.count("messages"), 1);
    FakeClock clock = FakeClock.at(Instant.ofEpochMilli(T0));
    Limiter closed = Limiter.builder(counter).clock(clock).build();
    Limiter open = Limiter.builder(counter).clock(clock).failOpen(true).build();
    assertThat(closed.consume(policy, request).isAllowed()).isTrue();

    server.kill();
    long started = System.nanoTime();
    Decision down = closed.consume(policy, request);
    assertThat(down.outcome()).isEqualTo(Decision.Outcome.UNAVAILABLE);
    assertThat(down.httpStatus()).isEqualTo(503);
    assertThat(open.consume(policy, request).isAllowed()).as("a limiter built to fail open").isTrue();
    assertThat(System.nanoTime() - started).as("answered in bounded time").isLessThan(BOUND_NANOS);

    server.start();
    long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    Decision back = closed.consume(policy, request);
    while (back.outcome() == Decision.Outcome.UNAVAILABLE && System.nanoTime() < deadline) {
      LockSupport.parkNanos(10_000_000); // Lettuce reconnects in the background
      back = closed.consume(policy, request);
    }
    assertThat(back.isAllowed()).as("allowed again once the server is back").isTrue();
    assertThat(closed.usage(policy, "user-1").quotas().get(0).used()).as("the calls that failed counted nothing")
        .isEqualTo(2);
  }

  /**
   * Retries every failed consume with an id until it answers (a retry of one that was applied answers
   * DUPLICATE, and one reported surely not applied must not), then checks the count.
   */
  private void assertSettledExactly(Iterable<Outcome> outcomes) {
    long counted = 0;
    long unknownWithoutId = 0;
    int knownFailures = 0;
    int unknownFailures = 0;
    for (Outcome outcome : outcomes) {
      if (outcome.failure() == null) {
        assertThat(outcome.status()).isEqualTo(Status.APPLIED);
        counted++;
        continue;
      }
      boolean unknown = outcome.failure().outcomeUnknown();
      if (unknown) {
        unknownFailures++;
      } else {
        knownFailures++;
      }
      if (!outcome.withId()) {
        unknownWithoutId += unknown ? 1 : 0;
        continue;
      }
      Outcome retry = retryUntilAnswered(outcome.id());
      if (unknown) {
        assertThat(retry.status()).isIn(Status.APPLIED, Status.DUPLICATE);
      } else {
        assertThat(retry.status()).as("the retry of %s, reported surely not applied", outcome.id())
            .isEqualTo(Status.APPLIED);
      }
      counted++;
    }
    System.out.printf("RedisFaultTest: %d counted, %d failures surely not applied, %d maybe applied%n", counted,
        knownFailures, unknownFailures);
    long used = counter.consume(new ConsumeRequest("user-1", List.of(new Charge(HOUR, Long.MAX_VALUE, 0)),
        Mode.CHECK, null, 0, T0)).used(0);
    assertThat(used).isBetween(counted, counted + unknownWithoutId);
  }

  private Outcome retryUntilAnswered(String id) {
    long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    while (true) {
      Outcome retry = attempt(id, true);
      if (retry.failure() == null) {
        return retry;
      }
      assertThat(System.nanoTime()).as("retry of %s answered", id).isLessThan(deadline);
      LockSupport.parkNanos(10_000_000);
    }
  }
}
