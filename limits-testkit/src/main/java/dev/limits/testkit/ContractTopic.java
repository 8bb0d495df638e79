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
import java.util.Map;
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
