package dev.limits.testkit;

import static dev.limits.testkit.UsageCounterContract.MINUTE;
import static dev.limits.testkit.UsageCounterContract.SUBJECT;
import static dev.limits.testkit.UsageCounterContract.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.limits.LimitPolicy;
import dev.limits.LimitRequest;
import dev.limits.Limiter;
import dev.limits.Metric;
import dev.limits.Window;
import dev.limits.spi.Charge;
import dev.limits.spi.ConsumeRequest.Mode;
import dev.limits.spi.ConsumeResult;
import dev.limits.spi.ConsumeResult.Status;
import dev.limits.spi.SettleResult;
import dev.limits.spi.Slot;
import dev.limits.spi.SlotUsage;
import dev.limits.spi.UsageCounter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CompletionService;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;

/**
 * One topic of {@link UsageCounterContract}: each topic extends this class in a file of its own, and the hub runs
 * it as a {@code @Nested} member that passes itself in, so that a subclass of the hub runs every topic against its
 * store. The fixtures and tuning stay the hub's, written once there; this class hands them on by name, so a
 * test reads the same in a topic as in the hub, and holds what several topics share.
 *
 * <p>Not thread-safe: JUnit creates one instance per test method.
 */
abstract class ContractTopic {

  private final UsageCounterContract contract;

  /** The store under test: the hub's, read once its {@code @BeforeEach} has created it. */
  UsageCounter counter;

  ContractTopic(UsageCounterContract contract) {
    this.contract = contract;
  }

  @BeforeEach
  final void readStore() {
    counter = contract.counter();
  }

  final ConsumeResult consume(Mode mode, long now, Charge... charges) {
    return contract.consume(mode, now, charges);
  }

  final ConsumeResult consume(Mode mode, String operationId, long now, Charge... charges) {
    return contract.consume(mode, operationId, now, charges);
  }

  final ConsumeResult reserve(String operationId, long expiresAt, long now, Charge... charges) {
    return contract.reserve(operationId, expiresAt, now, charges);
  }

  final SettleResult settle(String operationId, long now, long... finalAmounts) {
    return contract.settle(operationId, now, finalAmounts);
  }

  final long used(String subject, Slot slot, long now) {
    return contract.used(subject, slot, now);
  }

  final long used(Slot slot, long now) {
    return contract.used(slot, now);
  }

  final Map<String, SlotUsage> snapshot(String subject, long now) {
    return contract.snapshot(subject, now);
  }

  final int concurrencyThreads() {
    return contract.concurrencyThreads();
  }

  final int operationsPerThread() {
    return contract.operationsPerThread();
  }

  final Duration concurrencyTimeout() {
    return contract.concurrencyTimeout();
  }

  final int modelOperations() {
    return contract.modelOperations();
  }

  /** The body of one thread of a concurrency test. */
  @FunctionalInterface
  interface Worker {
    /**
     * Runs thread {@code thread}; {@code barrier} holds all threads of the test, for phased tests.
     */
    void run(int thread, CyclicBarrier barrier) throws Exception;
  }

  /**
   * Runs {@code worker} on {@link #concurrencyThreads()} threads released at once, waits for all of them
   * within {@link #concurrencyTimeout()}, and rethrows the first real failure.
   */
  final void runConcurrently(Worker worker) throws Exception {
    int threads = concurrencyThreads();
    assertThat(threads).as("concurrencyThreads()").isGreaterThanOrEqualTo(2);
    Duration timeout = concurrencyTimeout();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CompletionService<Void> done = new ExecutorCompletionService<>(pool);
    CountDownLatch ready = new CountDownLatch(threads);
    CountDownLatch start = new CountDownLatch(1);
    CyclicBarrier barrier = new CyclicBarrier(threads);
    try {
      for (int t = 0; t < threads; t++) {
        int thread = t;
        done.submit(() -> {
          ready.countDown();
          start.await();
          try {
            worker.run(thread, barrier);
          } catch (Throwable e) {
            barrier.reset(); // release threads waiting for this one at a phase barrier
            throw e;
          }
          return null;
        });
      }
      assertThat(ready.await(timeout.toMillis(), TimeUnit.MILLISECONDS)).as("all threads started").isTrue();
      start.countDown();
      long deadline = System.nanoTime() + timeout.toNanos();
      Throwable primary = null;
      List<Throwable> secondary = new ArrayList<>();
      // In the order the threads finish, so that the first failure stops the others at once and is the one
      // reported, rather than a thread it left waiting at a barrier.
      for (int finished = 0; finished < threads; finished++) {
        Future<Void> future = done.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (future == null) {
          AssertionError timedOut = new AssertionError(threads + " threads did not finish within " + timeout
              + "; lower operationsPerThread() for a slow store, or look for a deadlock");
          if (primary != null) {
            primary.addSuppressed(timedOut);
            break;
          }
          throw timedOut;
        }
        try {
          future.get();
        } catch (ExecutionException e) {
          Throwable cause = e.getCause();
          boolean consequence = cause instanceof BrokenBarrierException || cause instanceof InterruptedException;
          if (primary == null && !consequence) {
            primary = cause;
            pool.shutdownNow();
          } else {
            secondary.add(cause);
          }
        }
      }
      if (primary == null && !secondary.isEmpty()) {
        primary = secondary.remove(0);
      }
      if (primary != null) {
        secondary.forEach(primary::addSuppressed);
        if (primary instanceof Exception) {
          throw (Exception) primary;
        }
        throw (Error) primary;
      }
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)).as("pool terminated")
          .isTrue();
    }
  }

  final void awaitPhase(CyclicBarrier barrier) throws Exception {
    barrier.await(concurrencyTimeout().toMillis(), TimeUnit.MILLISECONDS);
  }

  static void assertResult(ConsumeResult result, Status status, long[] used, boolean[] fits) {
    assertThat(result.status()).as("status of %s", result).isEqualTo(status);
    assertThat(result.size()).as("one entry per charge in %s", result).isEqualTo(used.length);
    for (int i = 0; i < used.length; i++) {
      assertThat(result.used(i)).as("used(%s) of %s", i, result).isEqualTo(used[i]);
      assertThat(result.fits(i)).as("fits(%s) of %s", i, result).isEqualTo(fits[i]);
    }
  }

  static long[] longs(long... values) {
    return values;
  }

  static boolean[] bools(boolean... values) {
    return values;
  }

  // A limiter over the store under test, for the topics that check how the facade retries an idempotency key.

  static final Metric RETRY_MESSAGES = Metric.count("messages");
  static final Metric RETRY_TOKENS = Metric.tokens("tokens");
  static final LimitPolicy RETRY_PLAN = LimitPolicy.builder("retries")
      .quota(RETRY_MESSAGES, Window.day(), 10)
      .quota(RETRY_TOKENS, Window.day(), 1000)
      .build();

  /** A limiter over the store under test, its clock a minute into {@link UsageCounterContract#T0}'s day. */
  final Limiter retryLimiter() {
    return Limiter.builder(counter).clock(FakeClock.at(Instant.ofEpochMilli(T0 + MINUTE))).build();
  }

  final long retryPlanUsed(Limiter limiter, String quotaId) {
    return limiter.usage(RETRY_PLAN, SUBJECT).quota(quotaId).orElseThrow().used();
  }

  static LimitRequest retryRequest(String key, long tokens) {
    return LimitRequest.of(SUBJECT).amount(RETRY_MESSAGES, 1).amount(RETRY_TOKENS, tokens).idempotencyKey(key);
  }
}
