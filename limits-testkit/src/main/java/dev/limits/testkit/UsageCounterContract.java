package dev.limits.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.limits.Amounts;
import dev.limits.Decision;
import dev.limits.LimitPolicy;
import dev.limits.LimitRequest;
import dev.limits.Limiter;
import dev.limits.Metric;
import dev.limits.QuotaUsage;
import dev.limits.Reservation;
import dev.limits.Window;
import dev.limits.spi.Charge;
import dev.limits.spi.ConsumeRequest;
import dev.limits.spi.ConsumeRequest.Mode;
import dev.limits.spi.ConsumeResult;
import dev.limits.spi.ConsumeResult.Status;
import dev.limits.spi.SettleRequest;
import dev.limits.spi.SettleResult;
import dev.limits.spi.Slot;
import dev.limits.spi.SlotUsage;
import dev.limits.spi.UsageCounter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract suite of {@link UsageCounter}: every store, built in or written by a user, extends this class
 * and passes it.
 *
 * <pre>{@code
 * class MyStoreContractTest extends UsageCounterContract {
 *   @Override
 *   protected UsageCounter createCounter() {
 *     return new MyStore(dataSource); // empty: truncate its tables here
 *   }
 * }
 * }</pre>
 *
 * <p>The tests check what the SPI Javadoc states, and nothing an implementation may choose: all-or-nothing
 * consumes over several windows of several metrics, the fit rules of {@link Charge}, period rollover and a
 * lagging clock, rolling and lifetime slots, refunds, idempotency, reservations, purge, snapshots, rejection
 * of bad input, and, with many threads, exact counts under contention. They use fixed instants of their
 * own, never the wall clock.
 *
 * <p>Besides examples, one test runs random operation sequences against a plain reference model of the
 * Javadoc, and the concurrency tests start many threads at once on one subject and check exact final counts.
 *
 * <p>A subclass supplies a fresh store per test with {@link #createCounter()} and may tune the suite for a
 * slow store with {@link #concurrencyThreads()}, {@link #operationsPerThread()}, {@link #modelOperations()}
 * and {@link #concurrencyTimeout()}, and release resources with {@link #releaseCounter(UsageCounter)}.
 * Helpers such as {@link #consume}, {@link #used(Slot, long)} and the slot factories are there for a
 * subclass's own extra tests.
 *
 * <p>Not thread-safe itself: JUnit creates one instance per test method.
 *
 * @see UsageCounter
 */
public abstract class UsageCounterContract {

  /** For subclasses, which supply the store through {@link #createCounter()}. */
  protected UsageCounterContract() {}

  /** 2026-01-01T00:00:00Z, a Thursday, in epoch milliseconds: the start of the day and hour most tests use. */
  protected static final long T0 = 1_767_225_600_000L;

  /** One minute in milliseconds. */
  protected static final long MINUTE = 60_000L;

  /** One hour in milliseconds. */
  protected static final long HOUR = 60 * MINUTE;

  /** One day in milliseconds. */
  protected static final long DAY = 24 * HOUR;

  /** The subject most tests count for. */
  protected static final String SUBJECT = "user-1";

  /** Another subject, to show subjects are isolated. */
  protected static final String OTHER_SUBJECT = "user-2";

  private static final Slot RESERVED_REQUESTS = hour("requests", T0);
  private static final Slot RESERVED_TOKENS = day("tokens", T0);
  private static final long RESERVATION_EXPIRY = T0 + 10 * MINUTE;
  private static final Slot BAD_INPUT_SLOT = hour("messages", T0);

  private UsageCounter counter;

  /**
   * Returns a new, empty store. Called once before each test; a store over shared tables empties them here.
   *
   * @return the store under test
   */
  protected abstract UsageCounter createCounter();

  /**
   * Releases what {@link #createCounter()} acquired; called after each test. Does nothing by default.
   *
   * @param counter the store the test used
   */
  protected void releaseCounter(UsageCounter counter) {}

  /**
   * Returns how many threads the concurrency tests run at once; 8 by default.
   *
   * @return at least 2
   */
  protected int concurrencyThreads() {
    return 8;
  }

  /**
   * Returns how many operations each thread of a concurrency test carries out; 2000 by default, enough
   * contention for an in-memory store in well under a second. A store that takes milliseconds per operation
   * may lower it to about 100.
   *
   * @return at least 10
   */
  protected int operationsPerThread() {
    return 2000;
  }

  /**
   * Returns how long a concurrency test may run before it fails; one minute by default.
   *
   * @return a positive duration
   */
  protected Duration concurrencyTimeout() {
    return Duration.ofMinutes(1);
  }

  /**
   * Returns the store under test, the one {@link #createCounter()} made for the running test.
   *
   * @return the store under test
   */
  protected final UsageCounter counter() {
    return counter;
  }

  @BeforeEach
  void createStore() {
    counter = createCounter();
    assertThat(counter).as("createCounter()").isNotNull();
  }

  @AfterEach
  void releaseStore() {
    if (counter != null) {
      releaseCounter(counter);
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // Slots and requests

  /**
   * Returns the hour slot of {@code metric} containing {@code at}.
   *
   * @param metric the metric name; the slot's key is {@code metric + "@hour"}
   * @param at     an instant in the hour, epoch milliseconds
   * @return a calendar slot of one UTC hour
   */
  protected static Slot hour(String metric, long at) {
    long start = Math.floorDiv(at, HOUR) * HOUR;
    return new Slot(metric + "@hour", start, start + HOUR, 0);
  }

  /**
   * Returns the (UTC) day slot of {@code metric} containing {@code at}.
   *
   * @param metric the metric name; the slot's key is {@code metric + "@day"}
   * @param at     an instant in the day, epoch milliseconds
   * @return a calendar slot of one UTC day
   */
  protected static Slot day(String metric, long at) {
    long start = Math.floorDiv(at, DAY) * DAY;
    return new Slot(metric + "@day", start, start + DAY, 0);
  }

  /**
   * Returns the lifetime slot of {@code metric}: from the epoch, never ending.
   *
   * @param metric the metric name; the slot's key is {@code metric + "@lifetime"}
   * @return a slot from 0 to {@link Long#MAX_VALUE}
   */
  protected static Slot lifetime(String metric) {
    return new Slot(metric + "@lifetime", 0, Long.MAX_VALUE, 0);
  }

  /**
   * Returns the bucket containing {@code at} of a rolling window with buckets of {@code bucket} ms.
   *
   * @param metric   the metric name; the slot's key is {@code metric + "@rolling"}
   * @param at       an instant in the bucket, epoch milliseconds
   * @param bucket   the length of one bucket in milliseconds, positive
   * @param lookback how many earlier buckets count together with this one
   * @return a rolling slot
   */
  protected static Slot rolling(String metric, long at, long bucket, int lookback) {
    long start = Math.floorDiv(at, bucket) * bucket;
    return new Slot(metric + "@rolling", start, start + bucket, lookback);
  }

  /**
   * Returns a charge of {@code amount} within {@code limit}.
   *
   * @param slot   the counter cell
   * @param limit  the most the cell may hold, zero or more
   * @param amount the amount to count, zero or more
   * @return the charge
   */
  protected static Charge charge(Slot slot, long limit, long amount) {
    return new Charge(slot, limit, amount);
  }

  /**
   * Returns a request of {@link #SUBJECT} without an operation id.
   *
   * @param mode    what to do with the charges; not {@link Mode#RESERVE}, which needs an operation id
   * @param now     the current time, epoch milliseconds
   * @param charges the cells and amounts, at least one
   * @return the request
   */
  protected static ConsumeRequest request(Mode mode, long now, Charge... charges) {
    return new ConsumeRequest(SUBJECT, List.of(charges), mode, null, 0, now);
  }

  /**
   * Returns a request of {@link #SUBJECT} with an operation id remembered for a day.
   *
   * @param mode        what to do with the charges
   * @param operationId the idempotency key; for {@link Mode#RESERVE}, a reservation that expires in a day
   * @param now         the current time, epoch milliseconds
   * @param charges     the cells and amounts, at least one
   * @return the request
   */
  protected static ConsumeRequest request(Mode mode, String operationId, long now, Charge... charges) {
    return new ConsumeRequest(SUBJECT, List.of(charges), mode, operationId, now + DAY, now);
  }

  /**
   * Consumes on {@link #SUBJECT} without an operation id.
   *
   * @param mode    what to do with the charges; not {@link Mode#RESERVE}, which needs an operation id
   * @param now     the current time, epoch milliseconds
   * @param charges the cells and amounts, at least one
   * @return what the store under test answered
   */
  protected final ConsumeResult consume(Mode mode, long now, Charge... charges) {
    return counter.consume(request(mode, now, charges));
  }

  /**
   * Consumes on {@link #SUBJECT} with an operation id remembered for a day.
   *
   * @param mode        what to do with the charges
   * @param operationId the idempotency key; for {@link Mode#RESERVE}, a reservation that expires in a day
   * @param now         the current time, epoch milliseconds
   * @param charges     the cells and amounts, at least one
   * @return what the store under test answered
   */
  protected final ConsumeResult consume(Mode mode, String operationId, long now, Charge... charges) {
    return counter.consume(request(mode, operationId, now, charges));
  }

  /**
   * Reserves on {@link #SUBJECT} under {@code operationId}, expiring at {@code expiresAt}.
   *
   * @param operationId the reservation's id
   * @param expiresAt   when the reservation is refunded unless settled, epoch milliseconds
   * @param now         the current time, epoch milliseconds
   * @param charges     the cells and estimated amounts, at least one
   * @return what the store under test answered
   */
  protected final ConsumeResult reserve(String operationId, long expiresAt, long now, Charge... charges) {
    return counter.consume(
        new ConsumeRequest(SUBJECT, List.of(charges), Mode.RESERVE, operationId, expiresAt, now));
  }

  /**
   * Settles a reservation of {@link #SUBJECT}.
   *
   * @param operationId  the reservation's id
   * @param now          the current time, epoch milliseconds
   * @param finalAmounts the actual amount of each charge of the reservation, in its order
   * @return what the store under test answered
   */
  protected final SettleResult settle(String operationId, long now, long... finalAmounts) {
    return counter.settle(new SettleRequest(SUBJECT, operationId, finalAmounts, now));
  }

  /**
   * Returns the usage of {@code slot} of {@code subject} at {@code now}, read with a CHECK that counts
   * nothing.
   *
   * @param subject whose usage to read
   * @param slot    the counter cell
   * @param now     the current time, epoch milliseconds
   * @return the cell's current usage
   */
  protected final long used(String subject, Slot slot, long now) {
    ConsumeResult result = counter.consume(
        new ConsumeRequest(subject, List.of(new Charge(slot, Long.MAX_VALUE, 0)), Mode.CHECK, null, 0, now));
    return result.used(0);
  }

  /**
   * Returns the usage of {@code slot} of {@link #SUBJECT} at {@code now}, read with a CHECK that counts
   * nothing.
   *
   * @param slot the counter cell
   * @param now  the current time, epoch milliseconds
   * @return the cell's current usage
   */
  protected final long used(Slot slot, long now) {
    return used(SUBJECT, slot, now);
  }

  /**
   * Returns the snapshot of {@code subject} at {@code now}, by key, and asserts that it lists each key once.
   *
   * @param subject whose usage to list
   * @param now     the current time, epoch milliseconds
   * @return the live cells of {@code subject}, by counter key
   */
  protected final Map<String, SlotUsage> snapshot(String subject, long now) {
    Map<String, SlotUsage> byKey = new HashMap<>();
    for (SlotUsage usage : counter.snapshot(subject, now)) {
      assertThat(byKey.put(usage.key(), usage)).as("snapshot lists key %s once", usage.key()).isNull();
    }
    return byKey;
  }

  private static void assertResult(ConsumeResult result, Status status, long[] used, boolean[] fits) {
    assertThat(result.status()).as("status of %s", result).isEqualTo(status);
    assertThat(result.size()).as("one entry per charge in %s", result).isEqualTo(used.length);
    for (int i = 0; i < used.length; i++) {
      assertThat(result.used(i)).as("used(%s) of %s", i, result).isEqualTo(used[i]);
      assertThat(result.fits(i)).as("fits(%s) of %s", i, result).isEqualTo(fits[i]);
    }
  }

  private static long[] longs(long... values) {
    return values;
  }

  private static boolean[] bools(boolean... values) {
    return values;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Consume: all or nothing, fit rules, CHECK and FORCE

  @Test
  void enforceCountsEveryChargeAndReportsUsageAfterIt() {
    Charge hour = charge(hour("messages", T0), 10, 3);
    Charge day = charge(day("messages", T0), 20, 3);
    Charge tokens = charge(day("tokens", T0), 1000, 250);

    assertResult(consume(Mode.ENFORCE, T0, hour, day, tokens), Status.APPLIED,
        longs(3, 3, 250), bools(true, true, true));
    assertResult(consume(Mode.ENFORCE, T0 + 1, hour, day, tokens), Status.APPLIED,
        longs(6, 6, 500), bools(true, true, true));

    assertThat(used(hour("messages", T0), T0 + 2)).isEqualTo(6);
    assertThat(used(day("messages", T0), T0 + 2)).isEqualTo(6);
    assertThat(used(day("tokens", T0), T0 + 2)).isEqualTo(500);
  }

  @Test
  void aRequestThatFitsTheHourButNotTheDayCountsNothingInEither() {
    consume(Mode.ENFORCE, T0, charge(day("messages", T0), 10, 8), charge(day("tokens", T0), 1000, 100));
    long later = T0 + 3 * HOUR;
    Charge hour = charge(hour("messages", later), 5, 3);
    Charge day = charge(day("messages", later), 10, 3);
    Charge tokens = charge(day("tokens", later), 1000, 100);

    ConsumeResult result = consume(Mode.ENFORCE, later, hour, day, tokens);

    assertResult(result, Status.DENIED, longs(0, 8, 100), bools(true, false, true));
    assertThat(used(hour("messages", later), later)).isZero();
    assertThat(used(day("messages", later), later)).isEqualTo(8);
    assertThat(used(day("tokens", later), later)).isEqualTo(100);
  }

  @Test
  void aDenialInTheLastChargeUndoesNothingBecauseNothingWasCounted() {
    Charge a = charge(hour("a", T0), 100, 10);
    Charge b = charge(hour("b", T0), 100, 10);
    Charge c = charge(hour("c", T0), 5, 10);

    assertResult(consume(Mode.ENFORCE, T0, a, b, c), Status.DENIED, longs(0, 0, 0), bools(true, true, false));

    assertThat(counter.snapshot(SUBJECT, T0).stream().mapToLong(SlotUsage::used).sum()).isZero();
    assertThat(used(hour("a", T0), T0)).isZero();
    assertThat(used(hour("b", T0), T0)).isZero();
  }

  @Test
  void checkCountsNothingAndReportsFitsPerCharge() {
    consume(Mode.ENFORCE, T0, charge(hour("messages", T0), 10, 7));
    Charge fitting = charge(hour("messages", T0), 10, 3);
    Charge tooMuch = charge(day("tokens", T0), 50, 51);

    assertResult(consume(Mode.CHECK, T0, fitting), Status.APPLIED, longs(7), bools(true));
    assertResult(consume(Mode.CHECK, T0, fitting, tooMuch), Status.DENIED, longs(7, 0), bools(true, false));
    assertResult(consume(Mode.CHECK, T0, fitting), Status.APPLIED, longs(7), bools(true));

    assertThat(used(hour("messages", T0), T0)).isEqualTo(7);
    assertThat(used(day("tokens", T0), T0)).isZero();
  }

  @Test
  void checkWithAnOperationIdDoesNotUseItUp() {
    Charge c = charge(hour("messages", T0), 10, 4);

    assertThat(consume(Mode.CHECK, "op-1", T0, c).status()).isEqualTo(Status.APPLIED);
    assertResult(consume(Mode.ENFORCE, "op-1", T0, c), Status.APPLIED, longs(4), bools(true));
    assertThat(used(hour("messages", T0), T0)).isEqualTo(4);
  }

  @Test
  void aChargeFitsUpToAndIncludingTheLimit() {
    Slot slot = hour("messages", T0);

    assertResult(consume(Mode.ENFORCE, T0, charge(slot, 10, 9)), Status.APPLIED, longs(9), bools(true));
    assertResult(consume(Mode.ENFORCE, T0, charge(slot, 10, 2)), Status.DENIED, longs(9), bools(false));
    assertResult(consume(Mode.ENFORCE, T0, charge(slot, 10, 1)), Status.APPLIED, longs(10), bools(true));
    assertResult(consume(Mode.ENFORCE, T0, charge(slot, 10, 1)), Status.DENIED, longs(10), bools(false));
    assertThat(used(slot, T0)).isEqualTo(10);
  }

  @Test
  void aZeroChargeFitsOnlyWhileUsageIsBelowTheLimit() {
    Slot slot = day("cost", T0);

    assertResult(consume(Mode.ENFORCE, T0, charge(slot, 3, 0)), Status.APPLIED, longs(0), bools(true));
    consume(Mode.ENFORCE, T0, charge(slot, 3, 2));
    assertResult(consume(Mode.ENFORCE, T0, charge(slot, 3, 0)), Status.APPLIED, longs(2), bools(true));
    consume(Mode.ENFORCE, T0, charge(slot, 3, 1));
    assertResult(consume(Mode.ENFORCE, T0, charge(slot, 3, 0)), Status.DENIED, longs(3), bools(false));
    assertResult(consume(Mode.CHECK, T0, charge(slot, 3, 0)), Status.DENIED, longs(3), bools(false));
    assertResult(consume(Mode.ENFORCE, T0, charge(day("other", T0), 0, 0)), Status.DENIED, longs(0),
        bools(false));
    assertThat(used(slot, T0)).isEqualTo(3);
  }

  @Test
  void aZeroLimitAdmitsNothing() {
    Slot slot = hour("messages", T0);

    assertResult(consume(Mode.ENFORCE, T0, charge(slot, 0, 1)), Status.DENIED, longs(0), bools(false));
    assertThat(used(slot, T0)).isZero();
  }

  @Test
  void anOverflowingSumDoesNotFitAndNeverWraps() {
    Slot slot = lifetime("bytes");
    consume(Mode.FORCE, T0, charge(slot, 0, Long.MAX_VALUE - 5));

    assertResult(consume(Mode.ENFORCE, T0, charge(slot, Long.MAX_VALUE, 10)), Status.DENIED,
        longs(Long.MAX_VALUE - 5), bools(false));
    assertResult(consume(Mode.ENFORCE, T0, charge(slot, Long.MAX_VALUE, Long.MAX_VALUE)), Status.DENIED,
        longs(Long.MAX_VALUE - 5), bools(false));
    assertResult(consume(Mode.CHECK, T0, charge(slot, Long.MAX_VALUE, Long.MAX_VALUE)), Status.DENIED,
        longs(Long.MAX_VALUE - 5), bools(false));
    assertResult(consume(Mode.ENFORCE, T0, charge(slot, Long.MAX_VALUE, 5)), Status.APPLIED,
        longs(Long.MAX_VALUE), bools(true));
    assertThat(used(slot, T0)).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void forceCountsPastTheLimit() {
    Slot slot = hour("messages", T0);
    consume(Mode.ENFORCE, T0, charge(slot, 10, 8));

    assertResult(consume(Mode.FORCE, T0, charge(slot, 10, 5), charge(day("tokens", T0), 0, 7)),
        Status.APPLIED, longs(13, 7), bools(false, false));

    assertThat(used(slot, T0)).isEqualTo(13);
    assertThat(used(day("tokens", T0), T0)).isEqualTo(7);
    assertResult(consume(Mode.ENFORCE, T0, charge(slot, 10, 0)), Status.DENIED, longs(13), bools(false));
  }

  @Test
  void forceSaturatesAtLongMaxValue() {
    Slot slot = lifetime("bytes");

    consume(Mode.FORCE, T0, charge(slot, 0, Long.MAX_VALUE - 1));
    assertResult(consume(Mode.FORCE, T0, charge(slot, 0, 10)), Status.APPLIED, longs(Long.MAX_VALUE),
        bools(false));
    assertResult(consume(Mode.FORCE, T0, charge(slot, 0, Long.MAX_VALUE)), Status.APPLIED,
        longs(Long.MAX_VALUE), bools(false));

    assertThat(used(slot, T0)).isEqualTo(Long.MAX_VALUE);
    assertThat(snapshot(SUBJECT, T0)).extractingByKey(slot.key()).extracting(SlotUsage::used)
        .isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void keysAreIndependentCells() {
    consume(Mode.ENFORCE, T0, charge(hour("messages", T0), 5, 5));

    assertThat(consume(Mode.ENFORCE, T0, charge(hour("tokens", T0), 5, 5)).status()).isEqualTo(Status.APPLIED);
    assertThat(consume(Mode.ENFORCE, T0, charge(day("messages", T0), 5, 5)).status()).isEqualTo(Status.APPLIED);
    assertThat(used(hour("messages", T0), T0)).isEqualTo(5);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Windows: rollover, a lagging clock, rolling and lifetime slots

  @Test
  void aSlotWithALaterPeriodResetsTheCell() {
    consume(Mode.ENFORCE, T0 + 10 * MINUTE, charge(hour("messages", T0), 10, 10));
    long next = T0 + HOUR + MINUTE;

    assertResult(consume(Mode.ENFORCE, next, charge(hour("messages", next), 10, 4)), Status.APPLIED, longs(4),
        bools(true));
    assertThat(used(hour("messages", next), next)).isEqualTo(4);
    assertThat(snapshot(SUBJECT, next).get("messages@hour"))
        .isEqualTo(new SlotUsage("messages@hour", T0 + HOUR, 4));
  }

  @Test
  void aLaterPeriodResetsEvenWhenThatPeriodIsFarAhead() {
    consume(Mode.ENFORCE, T0, charge(day("messages", T0), 10, 10));
    long later = T0 + 40 * DAY + 5;

    assertResult(consume(Mode.CHECK, later, charge(day("messages", later), 10, 10)), Status.APPLIED,
        longs(0), bools(true));
    assertResult(consume(Mode.ENFORCE, later, charge(day("messages", later), 10, 10)), Status.APPLIED,
        longs(10), bools(true));
  }

  @Test
  void aSlotWithAnEarlierPeriodCountsAgainstTheNewerOne() {
    long next = T0 + HOUR + MINUTE;
    consume(Mode.ENFORCE, next, charge(hour("messages", next), 4, 3));
    long lagging = T0 + HOUR - MINUTE;

    assertResult(consume(Mode.ENFORCE, lagging, charge(hour("messages", lagging), 4, 2)), Status.DENIED,
        longs(3), bools(false));
    assertResult(consume(Mode.CHECK, lagging, charge(hour("messages", lagging), 4, 1)), Status.APPLIED,
        longs(3), bools(true));
    assertResult(consume(Mode.ENFORCE, lagging, charge(hour("messages", lagging), 4, 1)), Status.APPLIED,
        longs(4), bools(true));

    assertThat(used(hour("messages", next), next)).isEqualTo(4);
    assertThat(snapshot(SUBJECT, next).get("messages@hour"))
        .isEqualTo(new SlotUsage("messages@hour", T0 + HOUR, 4));
  }

  @Test
  void aReservationWithAnEarlierPeriodCountsAgainstTheNewerOne() {
    long next = T0 + HOUR + MINUTE;
    consume(Mode.ENFORCE, next, charge(hour("messages", next), 10, 3));
    long lagging = T0 + HOUR - MINUTE;

    assertThat(reserve("r-1", next + HOUR, lagging, charge(hour("messages", lagging), 10, 5)).status())
        .isEqualTo(Status.APPLIED);
    assertThat(used(hour("messages", next), next)).isEqualTo(8);

    assertThat(settle("r-1", next, 2)).isEqualTo(SettleResult.SETTLED);
    assertThat(used(hour("messages", next), next)).isEqualTo(5);
  }

  @Test
  void onlyAWriteResetsACellNotAReadInALaterPeriod() {
    Slot hour = hour("messages", T0);
    consume(Mode.ENFORCE, T0 + 50 * MINUTE, charge(hour, 4, 4));
    long next = T0 + HOUR + MINUTE;

    // Reads and non-writes in the next hour: they see an empty period but must not reset the stored one.
    assertResult(consume(Mode.CHECK, next, charge(hour("messages", next), 4, 1)), Status.APPLIED, longs(0),
        bools(true));
    consume(Mode.REFUND, next, charge(hour("messages", next), 4, 1));
    assertThat(consume(Mode.ENFORCE, next, charge(hour("messages", next), 4, 5)).status())
        .isEqualTo(Status.DENIED);

    // A lagging instance still in the stored hour counts against it.
    long lagging = T0 + 59 * MINUTE;
    assertResult(consume(Mode.ENFORCE, lagging, charge(hour, 4, 1)), Status.DENIED, longs(4), bools(false));
    assertThat(used(hour, lagging)).isEqualTo(4);
  }

  @Test
  void forceAndRefundForAnEarlierPeriodAreDropped() {
    long next = T0 + HOUR + MINUTE;
    consume(Mode.ENFORCE, next, charge(hour("messages", next), 10, 3));
    long lagging = T0 + HOUR - MINUTE;

    ConsumeResult forced = consume(Mode.FORCE, lagging, charge(hour("messages", lagging), 10, 20));
    assertThat(forced.status()).isEqualTo(Status.APPLIED);
    assertThat(used(hour("messages", next), next)).isEqualTo(3);

    ConsumeResult refunded = consume(Mode.REFUND, lagging, charge(hour("messages", lagging), 10, 3));
    assertThat(refunded.status()).isEqualTo(Status.APPLIED);
    assertThat(used(hour("messages", next), next)).isEqualTo(3);
    assertThat(snapshot(SUBJECT, next).get("messages@hour"))
        .isEqualTo(new SlotUsage("messages@hour", T0 + HOUR, 3));
  }

  @Test
  void aRollingSlotCountsItsLookbackBucketsAndStopsAfterThem() {
    long bucket = 5 * MINUTE;
    int lookback = 11;
    consume(Mode.ENFORCE, T0, charge(rolling("calls", T0, bucket, lookback), 10, 4));
    long t1 = T0 + 3 * bucket;
    consume(Mode.ENFORCE, t1, charge(rolling("calls", t1, bucket, lookback), 10, 5));

    long lastWithFirst = T0 + lookback * bucket + bucket - 1;
    assertResult(consume(Mode.ENFORCE, lastWithFirst, charge(rolling("calls", lastWithFirst, bucket, lookback),
        10, 2)), Status.DENIED, longs(9), bools(false));
    assertResult(consume(Mode.CHECK, lastWithFirst, charge(rolling("calls", lastWithFirst, bucket, lookback),
        10, 1)), Status.APPLIED, longs(9), bools(true));

    long firstGone = T0 + (lookback + 1) * bucket;
    assertResult(consume(Mode.ENFORCE, firstGone, charge(rolling("calls", firstGone, bucket, lookback), 10, 2)),
        Status.APPLIED, longs(7), bools(true));

    long secondGone = t1 + (lookback + 1) * bucket;
    assertThat(used(rolling("calls", secondGone, bucket, lookback), secondGone)).isEqualTo(2);
    long allGone = firstGone + (lookback + 1) * bucket;
    assertThat(used(rolling("calls", allGone, bucket, lookback), allGone)).isZero();
  }

  @Test
  void aRollingSlotIsEmptyAfterALongPause() {
    long bucket = MINUTE;
    consume(Mode.ENFORCE, T0, charge(rolling("calls", T0, bucket, 3), 5, 5));
    long later = T0 + 37 * DAY + 17;

    assertResult(consume(Mode.ENFORCE, later, charge(rolling("calls", later, bucket, 3), 5, 5)), Status.APPLIED,
        longs(5), bools(true));
  }

  @Test
  void aLifetimeSlotNeverResets() {
    Slot slot = lifetime("redemptions");
    consume(Mode.ENFORCE, T0, charge(slot, 3, 2));
    long tenYears = T0 + 3653 * DAY;

    assertResult(consume(Mode.ENFORCE, tenYears, charge(slot, 3, 2)), Status.DENIED, longs(2), bools(false));
    assertResult(consume(Mode.ENFORCE, tenYears, charge(slot, 3, 1)), Status.APPLIED, longs(3), bools(true));

    assertThat(counter.purge(tenYears, 100)).isLessThan(100);
    assertThat(snapshot(SUBJECT, tenYears)).containsEntry(slot.key(), new SlotUsage(slot.key(), 0, 3));
  }

  // ---------------------------------------------------------------------------------------------------------
  // Zone changes: a user who picks another zone never frees usage

  /**
   * Returns the day slot of {@code metric} containing {@code at} in the zone {@code offsetHours} east of UTC.
   */
  private static Slot dayInZone(String metric, long at, int offsetHours) {
    long shift = offsetHours * HOUR;
    long start = Math.floorDiv(at + shift, DAY) * DAY - shift;
    return new Slot(metric + "@day", start, start + DAY, 0);
  }

  @Test
  void aPeriodOfAnotherZoneThatOverlapsTheStoredOneCountsItsUsage() {
    consume(Mode.ENFORCE, T0 + HOUR, charge(day("messages", T0), 3, 3));
    long noon = T0 + 12 * HOUR;
    Slot west = dayInZone("messages", noon, -5); // started 5 hours after the stored day
    Slot east = dayInZone("messages", noon, 5); // started 5 hours before it

    assertResult(consume(Mode.CHECK, noon, charge(west, 3, 1)), Status.DENIED, longs(3), bools(false));
    assertResult(consume(Mode.ENFORCE, noon, charge(west, 3, 1)), Status.DENIED, longs(3), bools(false));
    assertResult(consume(Mode.ENFORCE, noon, charge(east, 3, 1)), Status.DENIED, longs(3), bools(false));
    assertThat(used(west, noon)).isEqualTo(3);
    assertThat(used(day("messages", noon), noon)).isEqualTo(3);
  }

  @Test
  void aWriteFromAnotherZoneExtendsTheCellAndTheFirstZoneStillCountsIt() {
    Slot utc = day("messages", T0);
    consume(Mode.ENFORCE, T0 + HOUR, charge(utc, 5, 2));
    long noon = T0 + 12 * HOUR;
    Slot west = dayInZone("messages", noon, -5); // to T0 + 29 hours

    assertResult(consume(Mode.ENFORCE, noon, charge(west, 5, 2)), Status.APPLIED, longs(4), bools(true));
    assertThat(used(utc, noon)).isEqualTo(4);

    // The next UTC day starts before the extended cell ends: the usage still counts there, and a write there
    // goes to the stored cell too.
    long nextMorning = T0 + DAY + 2 * HOUR;
    Slot utcNext = day("messages", nextMorning);
    assertResult(consume(Mode.ENFORCE, nextMorning, charge(utcNext, 5, 2)), Status.DENIED, longs(4),
        bools(false));
    assertResult(consume(Mode.ENFORCE, nextMorning, charge(utcNext, 5, 1)), Status.APPLIED, longs(5),
        bools(true));
    assertThat(used(west, nextMorning)).isEqualTo(5);
    assertThat(snapshot(SUBJECT, nextMorning).get("messages@day"))
        .isEqualTo(new SlotUsage("messages@day", T0, 5));
  }

  @Test
  void aSlotStartingAtTheStoredEndResetsTheCellAndOneStartingEarlierDoesNot() {
    consume(Mode.ENFORCE, T0 + HOUR, charge(day("messages", T0), 3, 3));
    long lateEvening = T0 + DAY - 30 * MINUTE;
    Slot east = dayInZone("messages", lateEvening, 1); // starts an hour before the stored day ends

    assertResult(consume(Mode.ENFORCE, lateEvening, charge(east, 3, 1)), Status.DENIED, longs(3), bools(false));

    long next = T0 + DAY + MINUTE;
    Slot utcNext = day("messages", next);
    assertThat(utcNext.start()).isEqualTo(T0 + DAY);
    assertResult(consume(Mode.CHECK, next, charge(utcNext, 3, 3)), Status.APPLIED, longs(0), bools(true));
    assertResult(consume(Mode.ENFORCE, next, charge(utcNext, 3, 3)), Status.APPLIED, longs(3), bools(true));
    assertThat(snapshot(SUBJECT, next).get("messages@day"))
        .isEqualTo(new SlotUsage("messages@day", T0 + DAY, 3));
  }

  @Test
  void steppingThroughZonesNeverGivesAFreshLimitBeforeTheStoredPeriodEnds() {
    consume(Mode.ENFORCE, T0 + MINUTE, charge(day("messages", T0), 3, 3));

    // Every hour, the zone whose day started an hour later than the last one's: each overlaps the stored day.
    for (int h = 1; h < 24; h++) {
      long at = T0 + h * HOUR + MINUTE;
      Slot later = dayInZone("messages", at, -h);
      assertThat(later.start()).isEqualTo(T0 + h * HOUR);
      assertResult(consume(Mode.ENFORCE, at, charge(later, 3, 1)), Status.DENIED, longs(3), bools(false));
    }
    // Nor does a zone whose day ends later, once a write has extended the cell into it.
    long refill = T0 + DAY + MINUTE;
    consume(Mode.ENFORCE, refill, charge(day("messages", refill), 3, 2));
    long at = T0 + DAY + 3 * HOUR;
    Slot west = dayInZone("messages", at, -3); // T0 + 27 hours to T0 + 51 hours
    assertResult(consume(Mode.ENFORCE, at, charge(west, 3, 1)), Status.APPLIED, longs(3), bools(true));
    long nextUtcDay = T0 + 2 * DAY + MINUTE; // starts before the extended cell ends
    assertResult(consume(Mode.ENFORCE, nextUtcDay, charge(day("messages", nextUtcDay), 3, 1)), Status.DENIED,
        longs(3), bools(false));
    long afterWest = T0 + 2 * DAY + 3 * HOUR + MINUTE; // the next western day starts at the stored end
    assertResult(consume(Mode.ENFORCE, afterWest, charge(dayInZone("messages", afterWest, -3), 3, 1)),
        Status.APPLIED, longs(1), bools(true));
  }

  @Test
  void purgeKeepsACalendarCellUntilNoPeriodOfAnyZoneCanOverlapIt() {
    Slot utc = day("messages", T0);
    consume(Mode.ENFORCE, T0 + MINUTE, charge(utc, 3, 3));
    long keptUntil = Slot.calendarCellKeptUntil(utc.start(), utc.end());
    // Longer than the longest day of any zone (27 hours) after the stored day's end.
    assertThat(keptUntil).isGreaterThanOrEqualTo(utc.end() + 27 * HOUR);

    // After the day ended, the day of a zone further west still overlaps it: purge must keep it.
    long after = T0 + DAY + HOUR;
    counter.purge(after, 100);
    Slot west = dayInZone("messages", after, -2);
    assertResult(consume(Mode.ENFORCE, after, charge(west, 3, 1)), Status.DENIED, longs(3), bools(false));

    counter.purge(keptUntil - 1, 100);
    assertThat(snapshot(SUBJECT, T0 + MINUTE)).containsOnlyKeys("messages@day");
    assertThat(counter.purge(keptUntil, 100)).isPositive().isLessThan(100);
    // Read at a time the dropped day would still count: it must be gone from storage, not just hidden.
    assertThat(snapshot(SUBJECT, T0 + MINUTE)).isEmpty();
  }

  @Test
  void aReservationChargedBeforeAZoneChangeSettlesAfterIt() {
    Slot utc = day("tokens", T0);
    reserve("r-1", T0 + DAY, T0 + HOUR, charge(utc, 10, 5));
    long noon = T0 + 12 * HOUR;
    Slot west = dayInZone("tokens", noon, -5);
    assertResult(consume(Mode.ENFORCE, noon, charge(west, 10, 2)), Status.APPLIED, longs(7), bools(true));

    assertThat(settle("r-1", noon + MINUTE, 1)).isEqualTo(SettleResult.SETTLED);
    assertThat(used(west, noon + MINUTE)).isEqualTo(3);
    assertThat(used(utc, noon + MINUTE)).isEqualTo(3);

    // A reservation charged in the new zone settles against the same cell.
    reserve("r-2", T0 + DAY, noon + MINUTE, charge(west, 10, 4));
    assertThat(used(utc, noon + MINUTE)).isEqualTo(7);
    assertThat(settle("r-2", noon + 2 * MINUTE, 6)).isEqualTo(SettleResult.SETTLED);
    assertThat(used(utc, noon + 2 * MINUTE)).isEqualTo(9);
    assertThat(used(west, noon + 2 * MINUTE)).isEqualTo(9);
  }

  @Test
  void aLimiterCountsOneSubjectInEveryZoneAgainstOneLimit() {
    // A UTC policy; one subject sends five requests from each zone, +13 hours down to -10, at one instant.
    Limiter limiter = Limiter.builder(counter).clock(FakeClock.at("2026-01-15T10:00:00Z")).build();
    Metric messages = Metric.count("messages");
    LimitPolicy policy = LimitPolicy.builder("free").zone(ZoneOffset.UTC).quota(messages, Window.day(), 3)
        .quota(messages, Window.month(), 10).build();

    int allowed = 0;
    for (int offset = 13; offset >= -10; offset--) {
      for (int i = 0; i < 5; i++) {
        LimitRequest request = LimitRequest.of("u").amount(messages, 1).zone(ZoneOffset.ofHours(offset));
        allowed += limiter.consume(policy, request).isAllowed() ? 1 : 0;
      }
    }

    assertThat(allowed).isEqualTo(3);
    assertThat(limiter.usage(policy, "u").quotas()).extracting(QuotaUsage::used, QuotaUsage::limit)
        .containsExactly(tuple(3L, 3L), tuple(3L, 10L));
  }

  @Test
  void aLimiterDoesNotFreeUsageWhenASubjectSwitchesToAZoneWhoseDayStartedLater() {
    Limiter limiter = Limiter.builder(counter).clock(FakeClock.at("2026-01-15T12:00:00Z")).build();
    Metric messages = Metric.count("messages");
    LimitPolicy policy = LimitPolicy.builder("free").zone(ZoneOffset.UTC).quota(messages, Window.day(), 3)
        .build();
    ZoneId kiritimati = ZoneId.of("Pacific/Kiritimati"); // its day started 10 hours after UTC's

    int allowed = 0;
    for (ZoneId zone : List.of(ZoneOffset.UTC, kiritimati)) {
      for (int i = 0; i < 3; i++) {
        allowed += limiter.consume(policy, LimitRequest.of("u").amount(messages, 1).zone(zone)).isAllowed() ? 1 : 0;
      }
    }

    assertThat(allowed).isEqualTo(3);
    assertThat(limiter.usage(policy, "u", kiritimati).quotas()).extracting(QuotaUsage::used, QuotaUsage::limit)
        .containsExactly(tuple(3L, 3L));
  }

  // ---------------------------------------------------------------------------------------------------------
  // Refund

  @Test
  void refundSubtractsFromTheCell() {
    Slot slot = hour("messages", T0);
    consume(Mode.ENFORCE, T0, charge(slot, 10, 7), charge(day("tokens", T0), 100, 60));

    assertResult(consume(Mode.REFUND, T0 + 1, charge(slot, 10, 3), charge(day("tokens", T0), 100, 10)),
        Status.APPLIED, longs(4, 50), bools(true, true));
    assertThat(used(slot, T0 + 2)).isEqualTo(4);
    assertThat(used(day("tokens", T0), T0 + 2)).isEqualTo(50);
  }

  @Test
  void refundNeverGoesBelowZero() {
    Slot slot = hour("messages", T0);
    consume(Mode.ENFORCE, T0, charge(slot, 10, 2));

    assertThat(consume(Mode.REFUND, T0, charge(slot, 10, 5)).used(0)).isZero();
    assertThat(used(slot, T0)).isZero();
    consume(Mode.REFUND, T0, charge(hour("never-used", T0), 10, 5));
    assertThat(used(hour("never-used", T0), T0)).isZero();

    assertResult(consume(Mode.ENFORCE, T0, charge(slot, 10, 10)), Status.APPLIED, longs(10), bools(true));
  }

  @Test
  void refundForAPeriodTheCellHasLeftIsDropped() {
    consume(Mode.ENFORCE, T0, charge(hour("messages", T0), 10, 5));
    long next = T0 + HOUR;
    consume(Mode.ENFORCE, next, charge(hour("messages", next), 10, 2));

    consume(Mode.REFUND, next, charge(hour("messages", T0), 10, 5));

    assertThat(used(hour("messages", next), next)).isEqualTo(2);
  }

  @Test
  void refundForAPeriodNotYetCountedChangesNothing() {
    consume(Mode.ENFORCE, T0, charge(hour("messages", T0), 10, 5));
    long next = T0 + HOUR;

    ConsumeResult result = consume(Mode.REFUND, T0 + 1, charge(hour("messages", next), 10, 2));

    assertThat(result.status()).isEqualTo(Status.APPLIED);
    assertThat(used(hour("messages", T0), T0 + 1)).isEqualTo(5);
    assertThat(used(hour("messages", next), next)).isZero();
    assertResult(consume(Mode.ENFORCE, next, charge(hour("messages", next), 10, 10)), Status.APPLIED, longs(10),
        bools(true));
  }

  @Test
  void refundForARollingBucketGoesToThatBucket() {
    long bucket = 5 * MINUTE;
    consume(Mode.ENFORCE, T0, charge(rolling("calls", T0, bucket, 11), 100, 4));
    long t1 = T0 + bucket;
    consume(Mode.ENFORCE, t1, charge(rolling("calls", t1, bucket, 11), 100, 3));

    consume(Mode.REFUND, t1, charge(rolling("calls", T0, bucket, 11), 100, 2));
    assertThat(used(rolling("calls", t1, bucket, 11), t1)).isEqualTo(5);

    long firstGone = T0 + 12 * bucket;
    assertThat(used(rolling("calls", firstGone, bucket, 11), firstGone)).isEqualTo(3);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Idempotency

  @Test
  void aSecondConsumeWithTheSameIdChangesNothing() {
    Charge hour = charge(hour("messages", T0), 10, 3);
    Charge tokens = charge(day("tokens", T0), 1000, 200);

    assertThat(consume(Mode.ENFORCE, "op-1", T0, hour, tokens).status()).isEqualTo(Status.APPLIED);
    ConsumeResult again = consume(Mode.ENFORCE, "op-1", T0 + 1, hour, tokens);

    assertThat(again.status()).isEqualTo(Status.DUPLICATE);
    assertThat(again.isApplied()).isTrue();
    assertThat(again.size()).isEqualTo(2);
    assertThat(again.used(0)).as("usage as it stands").isEqualTo(3);
    assertThat(again.used(1)).as("usage as it stands").isEqualTo(200);
    assertThat(used(hour("messages", T0), T0 + 2)).isEqualTo(3);
    assertThat(used(day("tokens", T0), T0 + 2)).isEqualTo(200);
  }

  @Test
  void aReusedIdCountsNothingWhateverItsChargesOrMode() {
    Slot slot = hour("messages", T0);
    consume(Mode.ENFORCE, "op-1", T0, charge(slot, 10, 3));

    for (Mode mode : List.of(Mode.ENFORCE, Mode.FORCE, Mode.REFUND, Mode.RESERVE)) {
      assertThat(consume(mode, "op-1", T0, charge(slot, 10, 5), charge(day("tokens", T0), 100, 5)).status())
          .as(mode.name()).isEqualTo(Status.MISMATCH);
    }
    assertThat(used(slot, T0)).isEqualTo(3);
    assertThat(used(day("tokens", T0), T0)).isZero();
  }

  @Test
  void forceAndRefundWithAnIdCountOnce() {
    Slot slot = hour("messages", T0);
    consume(Mode.FORCE, "f-1", T0, charge(slot, 1, 5));
    consume(Mode.FORCE, "f-1", T0, charge(slot, 1, 5));
    assertThat(used(slot, T0)).isEqualTo(5);

    consume(Mode.REFUND, "r-1", T0, charge(slot, 1, 2));
    assertThat(consume(Mode.REFUND, "r-1", T0, charge(slot, 1, 2)).status()).isEqualTo(Status.DUPLICATE);
    assertThat(used(slot, T0)).isEqualTo(3);
  }

  @Test
  void aDeniedConsumeDoesNotRememberItsId() {
    Slot slot = hour("messages", T0);
    consume(Mode.ENFORCE, T0, charge(slot, 10, 9));

    assertThat(consume(Mode.ENFORCE, "op-1", T0, charge(slot, 10, 3)).status()).isEqualTo(Status.DENIED);
    consume(Mode.REFUND, T0, charge(slot, 10, 5));
    assertResult(consume(Mode.ENFORCE, "op-1", T0, charge(slot, 10, 3)), Status.APPLIED, longs(7), bools(true));
    assertThat(consume(Mode.ENFORCE, "op-1", T0, charge(slot, 10, 3)).status()).isEqualTo(Status.DUPLICATE);
    assertThat(used(slot, T0)).isEqualTo(7);
  }

  @Test
  void aDeniedReservationDoesNotRememberItsId() {
    Slot slot = hour("messages", T0);
    consume(Mode.ENFORCE, T0, charge(slot, 10, 9));

    assertThat(reserve("r-1", T0 + HOUR, T0, charge(slot, 10, 3)).status()).isEqualTo(Status.DENIED);
    assertThat(settle("r-1", T0, 0)).isEqualTo(SettleResult.NOT_FOUND);
    consume(Mode.REFUND, T0, charge(slot, 10, 9));
    assertThat(reserve("r-1", T0 + HOUR, T0, charge(slot, 10, 3)).status()).isEqualTo(Status.APPLIED);
    assertThat(used(slot, T0)).isEqualTo(3);
  }

  @Test
  void operationIdsStayRememberedUntilTheyExpire() {
    Slot slot = day("messages", T0);
    long expiresAt = T0 + HOUR;
    ConsumeRequest request = new ConsumeRequest(SUBJECT, List.of(charge(slot, 10, 2)), Mode.ENFORCE, "op-1",
        expiresAt, T0);
    counter.consume(request);

    assertThat(counter.purge(expiresAt - 1, 100)).isLessThan(100);
    assertThat(counter.consume(request).status()).isEqualTo(Status.DUPLICATE);
    assertThat(used(slot, T0)).isEqualTo(2);
  }

  @Test
  void purgeForgetsOperationIdsThatExpired() {
    Slot slot = day("messages", T0);
    long expiresAt = T0 + HOUR;
    counter.consume(new ConsumeRequest(SUBJECT, List.of(charge(slot, 10, 2)), Mode.ENFORCE, "op-1", expiresAt,
        T0));

    assertThat(counter.purge(expiresAt + 1, 100)).isPositive().isLessThan(100);
    long later = expiresAt + 2;
    ConsumeResult retry = counter.consume(new ConsumeRequest(SUBJECT, List.of(charge(slot, 10, 2)),
        Mode.ENFORCE, "op-1", later + HOUR, later));

    assertResult(retry, Status.APPLIED, longs(4), bools(true));
  }

  @Test
  void operationIdsOfOneSubjectDoNotAffectAnother() {
    Slot slot = hour("messages", T0);
    consume(Mode.ENFORCE, "op-1", T0, charge(slot, 10, 3));

    // A store may scope ids per subject or globally; either way the other subject's usage is its own.
    ConsumeResult other = counter.consume(new ConsumeRequest(OTHER_SUBJECT, List.of(charge(slot, 10, 4)),
        Mode.ENFORCE, "op-2", T0 + DAY, T0));
    assertThat(other.status()).isEqualTo(Status.APPLIED);
    assertThat(used(OTHER_SUBJECT, slot, T0)).isEqualTo(4);
    assertThat(used(slot, T0)).isEqualTo(3);
  }

  @Test
  void anIdReusedWithOtherAmountsKeysOrModeAnswersMismatchAndChangesNothing() {
    Charge messages = charge(hour("messages", T0), 10, 3);
    Charge tokens = charge(day("tokens", T0), 1000, 200);
    consume(Mode.ENFORCE, "op-1", T0, messages, tokens);

    ConsumeResult otherAmount = consume(Mode.ENFORCE, "op-1", T0, messages, charge(day("tokens", T0), 1000, 201));
    assertResult(otherAmount, Status.MISMATCH, longs(3, 200), bools(true, true));
    assertThat(otherAmount.isApplied()).isFalse();
    assertThat(consume(Mode.ENFORCE, "op-1", T0, messages).status()).as("a charge left out")
        .isEqualTo(Status.MISMATCH);
    assertThat(consume(Mode.ENFORCE, "op-1", T0, messages, tokens, charge(day("images", T0), 5, 1)).status())
        .as("a charge added").isEqualTo(Status.MISMATCH);
    assertThat(consume(Mode.ENFORCE, "op-1", T0, messages, charge(day("tokens-2", T0), 1000, 200)).status())
        .as("another key").isEqualTo(Status.MISMATCH);
    assertThat(consume(Mode.RESERVE, "op-1", T0, messages, tokens).status()).as("a reservation")
        .isEqualTo(Status.MISMATCH);
    assertThat(consume(Mode.REFUND, "op-1", T0, messages, tokens).status()).as("a refund")
        .isEqualTo(Status.MISMATCH);
    assertThat(used(hour("messages", T0), T0)).isEqualTo(3);
    assertThat(used(day("tokens", T0), T0)).isEqualTo(200);
    assertThat(used(day("images", T0), T0)).isZero();

    // The same charges are a retry whatever their order, limits or counting mode (FORCE counts as ENFORCE does).
    assertThat(consume(Mode.FORCE, "op-1", T0, charge(day("tokens", T0), 5, 200), charge(hour("messages", T0), 1, 3))
        .status()).isEqualTo(Status.DUPLICATE);
    assertThat(used(day("tokens", T0), T0)).isEqualTo(200);
  }

  @Test
  void aReservationRetriedWithOtherAmountsAnswersMismatchAndStaysIntact() {
    reserve("r-1", T0 + HOUR, T0, charge(hour("requests", T0), 10, 1), charge(day("tokens", T0), 1000, 600));

    assertThat(reserve("r-1", T0 + HOUR, T0, charge(hour("requests", T0), 10, 1),
        charge(day("tokens", T0), 1000, 700)).status()).isEqualTo(Status.MISMATCH);
    assertThat(consume(Mode.ENFORCE, "r-1", T0, charge(hour("requests", T0), 10, 1),
        charge(day("tokens", T0), 1000, 600)).status()).as("counted instead of reserved").isEqualTo(Status.MISMATCH);
    assertThat(used(day("tokens", T0), T0)).isEqualTo(600);
    assertThat(settle("r-1", T0, 1, 250)).isEqualTo(SettleResult.SETTLED);
    assertThat(used(day("tokens", T0), T0)).isEqualTo(250);
  }

  @Test
  void theSameChargesRetriedAfterAPeriodBoundaryAreStillADuplicate() {
    consume(Mode.ENFORCE, "op-1", T0 + 59 * MINUTE, charge(hour("messages", T0), 10, 3));
    reserve("r-1", T0 + 2 * HOUR, T0 + 59 * MINUTE, charge(hour("requests", T0), 10, 2));
    long next = T0 + HOUR + 1;

    assertThat(consume(Mode.ENFORCE, "op-1", next, charge(hour("messages", next), 10, 3)).status())
        .isEqualTo(Status.DUPLICATE);
    assertThat(reserve("r-1", T0 + 3 * HOUR, next, charge(hour("requests", next), 10, 2)).status())
        .isEqualTo(Status.DUPLICATE);
    assertThat(used(hour("messages", next), next)).isZero();
    assertThat(used(hour("requests", next), next)).isZero();
    assertThat(used(hour("messages", T0), T0 + 59 * MINUTE)).isEqualTo(3);
  }

  private static final Metric RETRY_MESSAGES = Metric.count("messages");
  private static final Metric RETRY_TOKENS = Metric.tokens("tokens");
  private static final LimitPolicy RETRY_PLAN = LimitPolicy.builder("retries")
      .quota(RETRY_MESSAGES, Window.day(), 10)
      .quota(RETRY_TOKENS, Window.day(), 1000)
      .build();

  /** A limiter over the store under test, its clock a minute into {@link #T0}'s day. */
  private Limiter retryLimiter() {
    return Limiter.builder(counter).clock(FakeClock.at(Instant.ofEpochMilli(T0 + MINUTE))).build();
  }

  private long retryPlanUsed(Limiter limiter, String quotaId) {
    return limiter.usage(RETRY_PLAN, SUBJECT).quota(quotaId).orElseThrow().used();
  }

  private static LimitRequest retryRequest(String key, long tokens) {
    return LimitRequest.of(SUBJECT).amount(RETRY_MESSAGES, 1).amount(RETRY_TOKENS, tokens).idempotencyKey(key);
  }

  @Test
  void limiterRejectsAnIdempotencyKeyReusedForAnotherAmountAndKeepsTheOriginal() {
    Limiter limiter = retryLimiter();
    Reservation original = limiter.acquire(RETRY_PLAN, retryRequest("x", 100));
    assertThat(original.isGranted()).isTrue();

    assertThatThrownBy(() -> limiter.acquire(RETRY_PLAN, retryRequest("x", 200)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("idempotency key 'x' was first used for a different request");
    assertThat(retryPlanUsed(limiter, "tokens@day")).isEqualTo(100);
    assertThat(retryPlanUsed(limiter, "messages@day")).isEqualTo(1);
    original.commit(Amounts.of(RETRY_TOKENS, 80));
    assertThat(retryPlanUsed(limiter, "tokens@day")).isEqualTo(80);

    assertThat(limiter.consume(RETRY_PLAN, retryRequest("y", 10)).isAllowed()).isTrue();
    assertThatThrownBy(() -> limiter.consume(RETRY_PLAN, retryRequest("y", 20)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'y'");
    assertThat(limiter.consume(RETRY_PLAN, retryRequest("y", 10)).isAllowed()).as("a true retry").isTrue();
    assertThat(retryPlanUsed(limiter, "tokens@day")).isEqualTo(90);
    assertThat(retryPlanUsed(limiter, "messages@day")).isEqualTo(2);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Reservations


  private ConsumeResult reserveEstimate(String id, long requestCount, long tokenCount) {
    return reserve(id, RESERVATION_EXPIRY, T0, charge(RESERVED_REQUESTS, 10, requestCount),
        charge(RESERVED_TOKENS, 1000, tokenCount));
  }

  @Test
  void aReservationCountsTheEstimateAndIsEnforced() {
    assertResult(reserveEstimate("r-1", 1, 600), Status.APPLIED, longs(1, 600), bools(true, true));
    assertResult(reserveEstimate("r-2", 1, 600), Status.DENIED, longs(1, 600), bools(true, false));

    assertThat(used(RESERVED_REQUESTS, T0)).isEqualTo(1);
    assertThat(used(RESERVED_TOKENS, T0)).isEqualTo(600);
  }

  @Test
  void settlingBelowTheEstimateGivesBackTheDifference() {
    reserveEstimate("r-1", 1, 600);

    assertThat(settle("r-1", T0 + MINUTE, 1, 250)).isEqualTo(SettleResult.SETTLED);

    assertThat(used(RESERVED_REQUESTS, T0 + MINUTE)).isEqualTo(1);
    assertThat(used(RESERVED_TOKENS, T0 + MINUTE)).isEqualTo(250);
  }

  @Test
  void settlingAboveTheEstimateCountsPastTheLimit() {
    reserveEstimate("r-1", 1, 600);
    consume(Mode.ENFORCE, T0, charge(RESERVED_TOKENS, 1000, 300));

    assertThat(settle("r-1", T0 + MINUTE, 1, 1500)).isEqualTo(SettleResult.SETTLED);

    assertThat(used(RESERVED_TOKENS, T0 + MINUTE)).isEqualTo(1800);
    assertResult(consume(Mode.ENFORCE, T0 + MINUTE, charge(RESERVED_TOKENS, 1000, 0)), Status.DENIED,
        longs(1800), bools(false));
  }

  @Test
  void settlingTwiceCountsOnce() {
    reserveEstimate("r-1", 1, 600);

    assertThat(settle("r-1", T0 + MINUTE, 1, 100)).isEqualTo(SettleResult.SETTLED);
    assertThat(settle("r-1", T0 + MINUTE, 1, 100)).isEqualTo(SettleResult.ALREADY_SETTLED);
    assertThat(settle("r-1", T0 + MINUTE, 1, 900)).isEqualTo(SettleResult.ALREADY_SETTLED);
    assertThat(settle("r-1", T0 + MINUTE, 0, 0)).isEqualTo(SettleResult.ALREADY_SETTLED);

    assertThat(used(RESERVED_REQUESTS, T0 + MINUTE)).isEqualTo(1);
    assertThat(used(RESERVED_TOKENS, T0 + MINUTE)).isEqualTo(100);
  }

  @Test
  void settlingAnUnknownReservationIsNotFound() {
    reserveEstimate("r-1", 1, 600);

    assertThat(settle("r-unknown", T0, 1, 100)).isEqualTo(SettleResult.NOT_FOUND);
    assertThat(counter.settle(new SettleRequest(OTHER_SUBJECT, "r-1", new long[] {1, 100}, T0)))
        .isEqualTo(SettleResult.NOT_FOUND);
    assertThat(counter.settle(new SettleRequest("nobody", "r-1", new long[] {1, 100}, T0)))
        .isEqualTo(SettleResult.NOT_FOUND);

    assertThat(used(RESERVED_TOKENS, T0)).isEqualTo(600);
  }

  @Test
  void settlingAnOperationThatWasNotAReservationIsNotFound() {
    consume(Mode.ENFORCE, "op-1", T0, charge(RESERVED_TOKENS, 1000, 600));

    assertThat(settle("op-1", T0, 100)).isEqualTo(SettleResult.NOT_FOUND);
    assertThat(used(RESERVED_TOKENS, T0)).isEqualTo(600);
  }

  @Test
  void settlingWithTheWrongNumberOfAmountsIsRejectedAndChangesNothing() {
    reserveEstimate("r-1", 1, 600);

    assertThatThrownBy(() -> settle("r-1", T0, 100)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("r-1").hasMessageContaining("2").hasMessageContaining("1");
    assertThatThrownBy(() -> settle("r-1", T0, 1, 100, 5)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("3");
    assertThatThrownBy(() -> settle("r-1", T0)).isInstanceOf(IllegalArgumentException.class);

    assertThat(used(RESERVED_TOKENS, T0)).isEqualTo(600);
    assertThat(settle("r-1", T0, 1, 100)).isEqualTo(SettleResult.SETTLED);
    assertThat(used(RESERVED_TOKENS, T0)).isEqualTo(100);
  }

  @Test
  void cancellingIsSettlingWithZeros() {
    reserveEstimate("r-1", 1, 600);

    assertThat(settle("r-1", T0 + MINUTE, 0, 0)).isEqualTo(SettleResult.SETTLED);

    assertThat(used(RESERVED_REQUESTS, T0 + MINUTE)).isZero();
    assertThat(used(RESERVED_TOKENS, T0 + MINUTE)).isZero();
    assertThat(settle("r-1", T0 + MINUTE, 1, 600)).isEqualTo(SettleResult.CANCELLED);
    assertThat(used(RESERVED_TOKENS, T0 + MINUTE)).isZero();
  }

  @Test
  void aReservationIdIsADuplicateAfterSettling() {
    reserveEstimate("r-1", 1, 600);
    settle("r-1", T0, 0, 0);

    assertThat(reserveEstimate("r-1", 1, 600).status()).isEqualTo(Status.DUPLICATE);
    assertThat(used(RESERVED_TOKENS, T0)).isZero();
  }

  @Test
  void settlingAfterTheCellMovedOnLeavesTheNewPeriodAlone() {
    reserve("r-1", T0 + 2 * HOUR, T0, charge(RESERVED_REQUESTS, 10, 2));
    reserve("r-2", T0 + 2 * HOUR, T0, charge(RESERVED_REQUESTS, 10, 5));
    long next = T0 + HOUR;
    consume(Mode.ENFORCE, next, charge(hour("requests", next), 10, 1));

    assertThat(settle("r-1", next, 9)).isEqualTo(SettleResult.SETTLED);
    assertThat(settle("r-2", next, 0)).isEqualTo(SettleResult.SETTLED);
    assertThat(used(hour("requests", next), next)).isEqualTo(1);
  }

  @Test
  void refundingAnExpiredReservationAfterTheCellMovedOnLeavesTheNewPeriodAlone() {
    reserve("r-1", T0 + HOUR + 30 * MINUTE, T0, charge(RESERVED_REQUESTS, 10, 5));
    long next = T0 + HOUR + MINUTE;
    consume(Mode.ENFORCE, next, charge(hour("requests", next), 10, 3));

    long afterExpiry = T0 + HOUR + 31 * MINUTE;
    assertThat(counter.purge(afterExpiry, 100)).isPositive().isLessThan(100);

    assertThat(used(hour("requests", afterExpiry), afterExpiry)).isEqualTo(3);
    assertThat(settle("r-1", afterExpiry, 0)).isEqualTo(SettleResult.NOT_FOUND);
  }

  @Test
  void purgeRefundsAnExpiredReservationExactlyOnce() {
    reserveEstimate("r-1", 1, 600);
    reserve("r-2", RESERVATION_EXPIRY + HOUR, T0, charge(RESERVED_TOKENS, 1000, 100));
    long afterExpiry = RESERVATION_EXPIRY + 1;

    assertThat(counter.purge(afterExpiry, 100)).isPositive().isLessThan(100);
    assertThat(used(RESERVED_REQUESTS, afterExpiry)).isZero();
    assertThat(used(RESERVED_TOKENS, afterExpiry)).isEqualTo(100);

    assertThat(counter.purge(afterExpiry, 100)).isLessThan(100);
    assertThat(counter.purge(afterExpiry + MINUTE, 100)).isLessThan(100);
    assertThat(used(RESERVED_TOKENS, afterExpiry)).isEqualTo(100);
    assertThat(used(RESERVED_REQUESTS, afterExpiry)).isZero();
  }

  @Test
  void settlingAfterTheExpiryRefundIsNotFound() {
    reserveEstimate("r-1", 1, 600);
    counter.purge(RESERVATION_EXPIRY + 1, 100);

    assertThat(settle("r-1", RESERVATION_EXPIRY + 2, 1, 600)).isEqualTo(SettleResult.NOT_FOUND);
    assertThat(used(RESERVED_TOKENS, RESERVATION_EXPIRY + 2)).isZero();
    assertThat(used(RESERVED_REQUESTS, RESERVATION_EXPIRY + 2)).isZero();
  }

  @Test
  void purgeLeavesLiveAndSettledReservationsAlone() {
    reserveEstimate("live", 1, 300);
    reserveEstimate("settled", 1, 300);
    settle("settled", T0, 1, 200);

    counter.purge(RESERVATION_EXPIRY - 1, 100);
    assertThat(used(RESERVED_TOKENS, T0)).isEqualTo(500);
    counter.purge(RESERVATION_EXPIRY + 1, 100);
    assertThat(used(RESERVED_TOKENS, RESERVATION_EXPIRY + 1)).isEqualTo(200);
    assertThat(used(RESERVED_REQUESTS, RESERVATION_EXPIRY + 1)).isEqualTo(1);
  }

  @Test
  void settlingAfterACancelAnswersCancelledAndAfterACommitAlreadySettled() {
    reserveEstimate("cancelled", 1, 300);
    reserveEstimate("committed", 1, 300);
    assertThat(settle("cancelled", T0, 0, 0)).isEqualTo(SettleResult.SETTLED);
    assertThat(settle("committed", T0, 1, 200)).isEqualTo(SettleResult.SETTLED);

    assertThat(settle("cancelled", T0, 1, 250)).isEqualTo(SettleResult.CANCELLED);
    assertThat(settle("cancelled", T0, 0, 0)).isEqualTo(SettleResult.CANCELLED);
    assertThat(settle("committed", T0, 1, 250)).isEqualTo(SettleResult.ALREADY_SETTLED);
    assertThat(settle("committed", T0, 0, 0)).isEqualTo(SettleResult.ALREADY_SETTLED);
    assertThat(used(RESERVED_TOKENS, T0)).isEqualTo(200);
    assertThat(used(RESERVED_REQUESTS, T0)).isEqualTo(1);
  }

  @Test
  void limiterCountsACommitAfterARetriedHandleOfItsReservationWasClosed() {
    Limiter limiter = retryLimiter();
    Reservation first = limiter.acquire(RETRY_PLAN, retryRequest("x", 100));
    Reservation retry = limiter.acquire(RETRY_PLAN, retryRequest("x", 100));
    assertThat(first.isGranted()).isTrue();
    assertThat(retry.isGranted()).isTrue();
    assertThat(first.isRetry()).isFalse();
    assertThat(retry.isRetry()).isTrue();
    assertThat(retryPlanUsed(limiter, "tokens@day")).as("one reservation").isEqualTo(100);

    retry.close();
    assertThat(retryPlanUsed(limiter, "tokens@day")).isZero();
    first.commit(Amounts.of(RETRY_TOKENS, 80));

    assertThat(retryPlanUsed(limiter, "tokens@day")).as("the call ran: its actual amount counts").isEqualTo(80);
    assertThat(retryPlanUsed(limiter, "messages@day")).isEqualTo(1);
  }

  @Test
  void limiterCountsOneOfTwoHandlesCommittingOneReservationAndTheOtherThrows() {
    Limiter limiter = retryLimiter();
    Reservation first = limiter.acquire(RETRY_PLAN, retryRequest("x", 100));
    Reservation retry = limiter.acquire(RETRY_PLAN, retryRequest("x", 100));

    first.commit(Amounts.of(RETRY_TOKENS, 80));
    assertThatThrownBy(() -> retry.commit(Amounts.of(RETRY_TOKENS, 90)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("reservation x")
        .hasMessageContaining("already committed").hasMessageContaining("not counted");
    retry.close(); // after another handle's commit: changes nothing
    assertThat(retryPlanUsed(limiter, "tokens@day")).isEqualTo(80);
    assertThat(retryPlanUsed(limiter, "messages@day")).isEqualTo(1);

    // The same after a cancel: the first commit counts, a second one throws.
    Reservation third = limiter.acquire(RETRY_PLAN, retryRequest("z", 100));
    Reservation fourth = limiter.acquire(RETRY_PLAN, retryRequest("z", 100));
    Reservation fifth = limiter.acquire(RETRY_PLAN, retryRequest("z", 100));
    third.cancel();
    fourth.commit(Amounts.of(RETRY_TOKENS, 30));
    assertThatThrownBy(() -> fifth.commit(Amounts.of(RETRY_TOKENS, 30)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("reservation z");
    fifth.cancel();
    assertThat(retryPlanUsed(limiter, "tokens@day")).isEqualTo(110);
    assertThat(retryPlanUsed(limiter, "messages@day")).isEqualTo(2);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Purge and snapshot

  @Test
  void snapshotListsTheStoredCellsOfTheSubject() {
    consume(Mode.ENFORCE, T0 + MINUTE, charge(hour("messages", T0), 10, 3), charge(day("messages", T0), 20, 3),
        charge(lifetime("signups"), 1, 1));
    consume(Mode.FORCE, T0 + MINUTE, charge(rolling("calls", T0 + MINUTE, MINUTE, 4), 1, 7));
    counter.consume(new ConsumeRequest(OTHER_SUBJECT, List.of(charge(hour("other", T0), 10, 5)), Mode.ENFORCE,
        null, 0, T0));

    assertThat(counter.snapshot(SUBJECT, T0 + 2 * MINUTE)).containsExactlyInAnyOrder(
        new SlotUsage("messages@hour", T0, 3),
        new SlotUsage("messages@day", T0, 3),
        new SlotUsage("signups@lifetime", 0, 1),
        new SlotUsage("calls@rolling", T0 + MINUTE, 7));
    assertThat(counter.snapshot(OTHER_SUBJECT, T0 + 2 * MINUTE)).containsExactly(
        new SlotUsage("other@hour", T0, 5));
    assertThat(counter.snapshot("nobody", T0)).isEmpty();
  }

  @Test
  void snapshotOmitsCellsWhosePeriodEnded() {
    consume(Mode.ENFORCE, T0, charge(hour("messages", T0), 10, 3), charge(day("messages", T0), 20, 3));

    assertThat(snapshot(SUBJECT, T0 + HOUR - 1)).containsOnlyKeys("messages@hour", "messages@day");
    assertThat(snapshot(SUBJECT, T0 + HOUR)).containsOnlyKeys("messages@day");
    assertThat(snapshot(SUBJECT, T0 + DAY)).isEmpty();
  }

  @Test
  void subjectsAreIsolated() {
    Slot slot = hour("messages", T0);
    consume(Mode.ENFORCE, T0, charge(slot, 5, 5));

    ConsumeRequest other = new ConsumeRequest(OTHER_SUBJECT, List.of(charge(slot, 5, 5)), Mode.ENFORCE, null, 0,
        T0);
    assertResult(counter.consume(other), Status.APPLIED, longs(5), bools(true));
    counter.consume(new ConsumeRequest(OTHER_SUBJECT, List.of(charge(slot, 5, 5)), Mode.REFUND, null, 0, T0));

    assertThat(used(slot, T0)).isEqualTo(5);
    assertThat(used(OTHER_SUBJECT, slot, T0)).isZero();
    assertThat(used("user-10", slot, T0)).isZero();
  }

  @Test
  void purgeDropsCellsWhosePeriodEnded() {
    consume(Mode.ENFORCE, T0, charge(hour("messages", T0), 10, 3), charge(day("messages", T0), 20, 3),
        charge(lifetime("signups"), 1, 1));

    // A calendar cell is kept a while after its period (see the zone changes above): the hour's keep is over
    // long before the day's.
    long hourDroppable = Slot.calendarCellKeptUntil(T0, T0 + HOUR);
    int handled = counter.purge(hourDroppable, 100);

    assertThat(handled).isPositive().isLessThan(100);
    // Read at a time the dropped hour would still count: it must be gone from storage, not just hidden.
    assertThat(snapshot(SUBJECT, T0 + MINUTE)).containsOnlyKeys("messages@day", "signups@lifetime");
    assertThat(used(day("messages", T0), T0 + HOUR + 1)).isEqualTo(3);
  }

  @Test
  void purgeKeepsCellsWhosePeriodHasNotEnded() {
    consume(Mode.ENFORCE, T0, charge(hour("messages", T0), 10, 3),
        charge(rolling("calls", T0, MINUTE, 5), 10, 2));

    counter.purge(T0 + 5 * MINUTE, 100);

    assertThat(snapshot(SUBJECT, T0 + 5 * MINUTE)).containsOnlyKeys("messages@hour", "calls@rolling");
    assertThat(used(hour("messages", T0), T0 + 5 * MINUTE)).isEqualTo(3);
    assertThat(used(rolling("calls", T0 + 5 * MINUTE, MINUTE, 5), T0 + 5 * MINUTE)).isEqualTo(2);
  }

  @Test
  void purgeWorksInBatchesAndReportsWhenDone() {
    for (int i = 0; i < 10; i++) {
      consume(Mode.ENFORCE, "op-" + i, T0, charge(hour("metric-" + i, T0), 10, 1));
      counter.consume(new ConsumeRequest("subject-" + i, List.of(charge(hour("messages", T0), 10, 1)),
          Mode.ENFORCE, null, 0, T0));
    }
    long now = T0 + 2 * DAY;

    int total = 0;
    int calls = 0;
    int handled;
    do {
      handled = counter.purge(now, 3);
      assertThat(handled).as("purge(now, 3) handles at most 3").isBetween(0, 3);
      total += handled;
      calls++;
      assertThat(calls).as("purge calls before it reports done").isLessThan(100);
    } while (handled == 3);

    assertThat(total).as("ten ids and twenty cells").isGreaterThanOrEqualTo(30);
    assertThat(counter.purge(now, 1)).isZero();
    assertThat(counter.snapshot(SUBJECT, T0)).isEmpty();
    assertThat(counter.snapshot("subject-3", T0)).isEmpty();
  }

  @Test
  void purgeRejectsMaxItemsBelowOne() {
    consume(Mode.ENFORCE, T0, charge(hour("messages", T0), 10, 3));

    assertThatThrownBy(() -> counter.purge(T0 + DAY, 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("0");
    assertThatThrownBy(() -> counter.purge(T0 + DAY, -7)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-7");
    assertThat(snapshot(SUBJECT, T0)).containsOnlyKeys("messages@hour");
  }

  /**
   * A reservation never committed, cancelled nor closed holds its user's quota until its time to live ends,
   * and then the limiter's scheduled purge refunds it, at the limiter's clock, with no other traffic (the
   * in-memory store purges by itself only after tens of thousands of operations, a database store never).
   */
  @Test
  void aLimitersScheduledPurgeRefundsAnAbandonedReservation() throws InterruptedException {
    FakeClock clock = FakeClock.at(Instant.ofEpochMilli(T0 + MINUTE));
    Metric messages = Metric.count("messages");
    LimitPolicy policy = LimitPolicy.builder("free").zone(ZoneOffset.UTC).quota(messages, Window.day(), 1).build();
    LimitRequest request = LimitRequest.of(SUBJECT).amount(messages, 1);
    ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
    try {
      Limiter limiter = Limiter.builder(counter).clock(clock).reservationTtl(Duration.ofMinutes(10))
          .purgeEvery(Duration.ofMillis(10), executor).build();
      Reservation abandoned = limiter.acquire(policy, request);
      assertThat(abandoned.isGranted()).isTrue();
      assertThat(limiter.consume(policy, request).outcome()).isEqualTo(Decision.Outcome.QUOTA_EXCEEDED);

      clock.advance(Duration.ofMinutes(11));
      long deadline = System.nanoTime() + concurrencyTimeout().toNanos();
      while (limiter.usage(policy, SUBJECT).quotas().get(0).used() != 0 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }

      assertThat(limiter.usage(policy, SUBJECT).quotas().get(0).used()).as("refunded").isZero();
      assertThat(limiter.consume(policy, request).isAllowed()).isTrue();
    } finally {
      executor.shutdownNow();
      assertThat(executor.awaitTermination(concurrencyTimeout().toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // Bad input never changes a counter


  private void someUsage() {
    consume(Mode.ENFORCE, "op-0", T0, charge(BAD_INPUT_SLOT, 10, 3));
    reserve("r-0", T0 + HOUR, T0, charge(day("tokens", T0), 100, 40));
  }

  private void assertRejected(Class<? extends Throwable> type, String fragment, ThrowingCallable call) {
    List<SlotUsage> before = counter.snapshot(SUBJECT, T0);
    assertThatThrownBy(call).isInstanceOf(type).hasMessageContaining(fragment);
    assertThat(counter.snapshot(SUBJECT, T0)).containsExactlyInAnyOrderElementsOf(before);
    assertThat(used(BAD_INPUT_SLOT, T0)).isEqualTo(3);
    assertThat(used(day("tokens", T0), T0)).isEqualTo(40);
  }

  private void consumeFor(String subject) {
    counter.consume(
        new ConsumeRequest(subject, List.of(charge(BAD_INPUT_SLOT, 10, 1)), Mode.ENFORCE, null, 0, T0));
  }

  @Test
  @SuppressWarnings("NullAway") // passes null on purpose: the store must reject it
  void nullRequestsAreRejected() {
    someUsage();

    assertRejected(NullPointerException.class, "request", () -> counter.consume(null));
    assertRejected(NullPointerException.class, "request", () -> counter.settle(null));
    assertRejected(NullPointerException.class, "subject", () -> counter.snapshot(null, T0));
  }

  @Test
  @SuppressWarnings("NullAway") // passes null on purpose: the store must reject it
  void malformedSubjectsAreRejected() {
    someUsage();
    String tooLong = "s".repeat(ConsumeRequest.MAX_SUBJECT_LENGTH + 1);

    assertRejected(NullPointerException.class, "subject", () -> consumeFor(null));
    assertRejected(IllegalArgumentException.class, "empty", () -> consumeFor(""));
    assertRejected(IllegalArgumentException.class, String.valueOf(tooLong.length()), () -> consumeFor(tooLong));
    assertRejected(IllegalArgumentException.class, "control", () -> consumeFor("user\n1"));
    assertRejected(IllegalArgumentException.class, String.valueOf(tooLong.length()),
        () -> counter.snapshot(tooLong, T0));
    assertRejected(IllegalArgumentException.class, "empty", () -> counter.snapshot("", T0));
    assertRejected(IllegalArgumentException.class, String.valueOf(tooLong.length()),
        () -> counter.settle(new SettleRequest(tooLong, "r-0", new long[] {0}, T0)));
  }

  @Test
  void aSubjectOfTheLongestAllowedLengthIsAccepted() {
    someUsage();
    String longest = "s".repeat(ConsumeRequest.MAX_SUBJECT_LENGTH);
    consumeFor(longest);

    assertThat(used(longest, BAD_INPUT_SLOT, T0)).isEqualTo(1);
    assertThat(counter.snapshot(longest, T0)).containsExactly(new SlotUsage(BAD_INPUT_SLOT.key(), T0, 1));
  }

  @Test
  void negativeAmountsAndLimitsAreRejected() {
    someUsage();

    assertRejected(IllegalArgumentException.class, "-5",
        () -> consume(Mode.ENFORCE, T0, charge(BAD_INPUT_SLOT, 10, -5)));
    assertRejected(IllegalArgumentException.class, "-10",
        () -> consume(Mode.REFUND, T0, charge(BAD_INPUT_SLOT, -10, 1)));
    assertRejected(IllegalArgumentException.class, "-3", () -> settle("r-0", T0, -3));
  }

  @Test
  @SuppressWarnings("NullAway") // passes null on purpose: the store must reject it
  void emptyAndNullChargesAreRejected() {
    someUsage();

    assertRejected(IllegalArgumentException.class, "charge",
        () -> counter.consume(new ConsumeRequest(SUBJECT, List.of(), Mode.ENFORCE, null, 0, T0)));
    assertRejected(NullPointerException.class, "charges",
        () -> counter.consume(new ConsumeRequest(SUBJECT, null, Mode.ENFORCE, null, 0, T0)));
    assertRejected(NullPointerException.class, "mode",
        () -> counter.consume(
            new ConsumeRequest(SUBJECT, List.of(charge(BAD_INPUT_SLOT, 10, 1)), null, null, 0, T0)));
  }

  @Test
  void twoChargesOnOneKeyAreRejected() {
    someUsage();

    assertRejected(IllegalArgumentException.class, BAD_INPUT_SLOT.key(),
        () -> consume(Mode.ENFORCE, T0, charge(BAD_INPUT_SLOT, 10, 1), charge(BAD_INPUT_SLOT, 10, 1)));
  }

  @Test
  @SuppressWarnings("NullAway") // passes null on purpose: the store must reject it
  void badOperationIdsAreRejected() {
    someUsage();
    String tooLong = "o".repeat(ConsumeRequest.MAX_OPERATION_ID_LENGTH + 1);

    assertRejected(NullPointerException.class, "operationId", () -> reserve(null, T0 + HOUR, T0,
        charge(BAD_INPUT_SLOT, 10, 1)));
    assertRejected(IllegalArgumentException.class, tooLong, () -> consume(Mode.ENFORCE, tooLong, T0,
        charge(BAD_INPUT_SLOT, 10, 1)));
    assertRejected(IllegalArgumentException.class, "''", () -> consume(Mode.ENFORCE, "", T0,
        charge(BAD_INPUT_SLOT, 10, 1)));
    assertRejected(IllegalArgumentException.class, tooLong, () -> settle(tooLong, T0, 0));
  }

  @Test
  @SuppressWarnings("NullAway") // passes null on purpose: the store must reject it
  void badSlotsAreRejected() {
    someUsage();
    String tooLong = "k".repeat(Slot.MAX_KEY_LENGTH + 1);

    assertRejected(IllegalArgumentException.class, tooLong,
        () -> consume(Mode.ENFORCE, T0, charge(new Slot(tooLong, T0, T0 + HOUR, 0), 10, 1)));
    assertRejected(IllegalArgumentException.class, "''",
        () -> consume(Mode.ENFORCE, T0, charge(new Slot("", T0, T0 + HOUR, 0), 10, 1)));
    assertRejected(IllegalArgumentException.class, String.valueOf(T0),
        () -> consume(Mode.ENFORCE, T0, charge(new Slot("k", T0, T0, 0), 10, 1)));
    assertRejected(IllegalArgumentException.class, "-1",
        () -> consume(Mode.ENFORCE, T0, charge(new Slot("k", T0, T0 + HOUR, -1), 10, 1)));
    assertRejected(NullPointerException.class, "key",
        () -> consume(Mode.ENFORCE, T0, charge(new Slot(null, T0, T0 + HOUR, 0), 10, 1)));
    assertRejected(NullPointerException.class, "slot", () -> consume(Mode.ENFORCE, T0, charge(null, 10, 1)));
  }

  @Test
  void aKeyOfTheLongestAllowedLengthIsAccepted() {
    Slot longest = new Slot("k".repeat(Slot.MAX_KEY_LENGTH), T0, T0 + HOUR, 0);

    consume(Mode.ENFORCE, T0, charge(longest, 10, 4));
    String longestId = "o".repeat(ConsumeRequest.MAX_OPERATION_ID_LENGTH);
    consume(Mode.ENFORCE, longestId, T0, charge(longest, 10, 4));
    consume(Mode.ENFORCE, longestId, T0, charge(longest, 10, 4));

    assertThat(used(longest, T0)).isEqualTo(8);
    assertThat(snapshot(SUBJECT, T0)).containsEntry(longest.key(), new SlotUsage(longest.key(), T0, 8));
  }

  // Every string that reaches a store is checked before it does: a value a store would refuse or fold into
  // another (a NUL, a control character, an unpaired surrogate that a driver writes as '?') must fail as bad
  // input, never as a storage failure (which a fail-open limiter answers by allowing), and never count.

  /** Strings no store receives: control characters (NUL included) and ill-formed UTF-16. */
  private static final List<String> UNSTORABLE = List.of("u\u0000", "\u0000", "u\u0007x", "u\u007f", "u\u0085",
      "s\uD800", "s\uDBFF", "\uDC00s", "s\uDFFF\uD800", "s\uD83D");

  @Test
  void controlCharactersAndUnpairedSurrogatesAreRejectedInSubjectsOperationIdsAndKeys() {
    someUsage();

    for (String bad : UNSTORABLE) {
      assertRejected(IllegalArgumentException.class, "subject", () -> consumeFor(bad));
      assertRejected(IllegalArgumentException.class, "subject", () -> counter.snapshot(bad, T0));
      assertRejected(IllegalArgumentException.class, "subject",
          () -> counter.settle(new SettleRequest(bad, "r-0", new long[] {0}, T0)));
      assertRejected(IllegalArgumentException.class, "operation id",
          () -> consume(Mode.ENFORCE, bad, T0, charge(BAD_INPUT_SLOT, 10, 1)));
      assertRejected(IllegalArgumentException.class, "operation id",
          () -> reserve(bad, T0 + HOUR, T0, charge(BAD_INPUT_SLOT, 10, 1)));
      assertRejected(IllegalArgumentException.class, "operation id", () -> settle(bad, T0, 0));
      assertRejected(IllegalArgumentException.class, "key",
          () -> consume(Mode.ENFORCE, T0, charge(new Slot(bad, T0, T0 + HOUR, 0), 10, 1)));
    }
    // The message shows the value readably, the offending character escaped.
    assertRejected(IllegalArgumentException.class, "'u\\u0000'", () -> consumeFor("u\u0000"));
    assertRejected(IllegalArgumentException.class, "'k\\u0000'",
        () -> consume(Mode.ENFORCE, "k\u0000", T0, charge(BAD_INPUT_SLOT, 10, 1)));
    assertRejected(IllegalArgumentException.class, "'s\\uD800'",
        () -> consume(Mode.ENFORCE, T0, charge(new Slot("s\uD800", T0, T0 + HOUR, 0), 10, 1)));
  }

  @Test
  void blankSubjectsOperationIdsAndKeysAreRejected() {
    someUsage();

    for (String blank : List.of(" ", "   ", "\u2003")) {
      assertRejected(IllegalArgumentException.class, "subject", () -> consumeFor(blank));
      assertRejected(IllegalArgumentException.class, "operation id",
          () -> consume(Mode.ENFORCE, blank, T0, charge(BAD_INPUT_SLOT, 10, 1)));
      assertRejected(IllegalArgumentException.class, "key",
          () -> consume(Mode.ENFORCE, T0, charge(new Slot(blank, T0, T0 + HOUR, 0), 10, 1)));
    }
  }

  /**
   * Returns a limiter over the store under test, failing open, with a clock at {@link #T0}.
   *
   * @return the limiter
   */
  private Limiter failOpenLimiter() {
    return Limiter.builder(counter).clock(FakeClock.at(Instant.ofEpochMilli(T0))).failOpen(true).build();
  }

  private static final Metric INPUT_MESSAGES = Metric.count("messages");
  private static final LimitPolicy INPUT_POLICY =
      LimitPolicy.builder("input").quota(INPUT_MESSAGES, Window.day(), 5).build();

  private long usedMessages(Limiter limiter, String subject) {
    return limiter.usage(INPUT_POLICY, subject).quota("messages@day").orElseThrow().used();
  }

  @Test
  void aFailOpenLimiterNeverAllowsAnUnstorableIdempotencyKeyOrSubject() {
    Limiter limiter = failOpenLimiter();

    for (int i = 0; i < 10; i++) {
      String nul = "k\u0000" + i;
      String lone = "i" + (char) (0xD800 + i);
      String loneSubject = "u" + (char) (0xDC00 + i);
      assertThatThrownBy(() -> limiter.consume(INPUT_POLICY,
          LimitRequest.of("u").amount(INPUT_MESSAGES, 1).idempotencyKey(nul)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("idempotency key");
      assertThatThrownBy(() -> limiter.acquire(INPUT_POLICY,
          LimitRequest.of("u").amount(INPUT_MESSAGES, 1).idempotencyKey(lone)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("idempotency key");
      assertThatThrownBy(() -> limiter.consume(INPUT_POLICY,
          LimitRequest.of(loneSubject).amount(INPUT_MESSAGES, 1)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("subject");
    }

    assertThat(usedMessages(limiter, "u")).isZero();
    for (int i = 0; i < 5; i++) {
      assertThat(limiter.consume(INPUT_POLICY, LimitRequest.of("u").amount(INPUT_MESSAGES, 1)
          .idempotencyKey("k" + i)).isAllowed()).isTrue();
    }
    assertThat(limiter.consume(INPUT_POLICY, LimitRequest.of("u").amount(INPUT_MESSAGES, 1)
        .idempotencyKey("k5")).isAllowed()).isFalse();
    assertThat(usedMessages(limiter, "u")).isEqualTo(5);
  }

  @Test
  void subjectsAndKeysWithUnpairedSurrogatesCannotBeUsedSoCannotShareACell() {
    Limiter limiter = failOpenLimiter();

    for (String subject : List.of("s\uD800", "s\uDBFF")) {
      assertThatThrownBy(() -> LimitRequest.of(subject)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("subject");
      assertThatThrownBy(() -> limiter.usage(INPUT_POLICY, subject)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("subject");
    }
    for (String key : List.of("i\uD800", "i\uDBFF")) {
      assertThatThrownBy(() -> LimitRequest.of("u").idempotencyKey(key))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("idempotency key");
    }
    // Well-formed pairs that differ only in their low surrogate are two subjects and two calls.
    limiter.consume(INPUT_POLICY, LimitRequest.of("s\uD83D\uDE00").amount(INPUT_MESSAGES, 1).idempotencyKey("i\uD83D\uDE00"));
    limiter.consume(INPUT_POLICY, LimitRequest.of("s\uD83D\uDE00").amount(INPUT_MESSAGES, 1).idempotencyKey("i\uD83D\uDE01"));
    limiter.consume(INPUT_POLICY, LimitRequest.of("s\uD83D\uDE01").amount(INPUT_MESSAGES, 3));

    assertThat(usedMessages(limiter, "s\uD83D\uDE00")).isEqualTo(2);
    assertThat(usedMessages(limiter, "s\uD83D\uDE01")).isEqualTo(3);
  }

  /**
   * Subjects and keys that a collation, a driver or an array literal could fold together or misread: case,
   * composed and decomposed accents, a no-break space, supplementary characters (4 bytes in UTF-8),
   * noncharacters, SQL and array syntax, and the longest subject of 3-byte characters. (A trailing space,
   * which a PAD SPACE collation ignores, is refused instead: see the test after these.)
   */
  private static final List<String> FOLDABLE = List.of("s", "S", "s\u00A0", "\u00E9", "e\u0301", "\u00DF", "ss",
      "NULL", "null", "\"q\"", "a\\b", "{x,y}", "x'y", "s;--", "\uD83D\uDE00", "\uD83D\uDE01", "s\uFFFE", "s\uFFFF",
      "\u20AC".repeat(ConsumeRequest.MAX_SUBJECT_LENGTH),
      "\uD83D\uDE00".repeat(ConsumeRequest.MAX_SUBJECT_LENGTH / 2) + "s");

  @Test
  void subjectsThatACollationCouldFoldStaySeparateCells() {
    Limiter limiter = failOpenLimiter();
    LimitPolicy policy = LimitPolicy.builder("fold").quota(INPUT_MESSAGES, Window.day(), 1000).build();

    for (int i = 0; i < FOLDABLE.size(); i++) {
      Decision d = limiter.consume(policy, LimitRequest.of(FOLDABLE.get(i)).amount(INPUT_MESSAGES, i + 1));
      assertThat(d.outcome()).as("consume for %s", FOLDABLE.get(i)).isEqualTo(Decision.Outcome.ALLOWED);
    }

    for (int i = 0; i < FOLDABLE.size(); i++) {
      assertThat(limiter.usage(policy, FOLDABLE.get(i)).quota("messages@day").orElseThrow().used())
          .as("usage of %s", FOLDABLE.get(i)).isEqualTo(i + 1);
      assertThat(used(FOLDABLE.get(i), day("messages", T0), T0)).as("cell of %s", FOLDABLE.get(i))
          .isEqualTo(i + 1);
    }
  }

  @Test
  void idempotencyKeysThatACollationCouldFoldAreDistinctCalls() {
    Limiter limiter = failOpenLimiter();
    LimitPolicy policy = LimitPolicy.builder("fold").quota(INPUT_MESSAGES, Window.day(), 1000).build();
    List<String> keys = new ArrayList<>();
    for (String value : FOLDABLE) {
      keys.add(value.length() > 100 ? value.substring(0, 100) : value); // the longest key a request takes
    }

    for (String key : keys) {
      assertThat(limiter.consume(policy, LimitRequest.of("u").amount(INPUT_MESSAGES, 1).idempotencyKey(key))
          .outcome()).as("consume with key %s", key).isEqualTo(Decision.Outcome.ALLOWED);
    }
    for (String key : keys) { // retries: each counted once
      limiter.consume(policy, LimitRequest.of("u").amount(INPUT_MESSAGES, 1).idempotencyKey(key));
    }

    assertThat(limiter.usage(policy, "u").quota("messages@day").orElseThrow().used()).isEqualTo(keys.size());
  }

  @Test
  void aTrailingOrLeadingSpaceIsRejectedRatherThanFoldedIntoTheTrimmedValue() {
    someUsage();
    Limiter limiter = failOpenLimiter();

    for (String spaced : List.of("user-1 ", " user-1", "user-1\u3000")) {
      assertRejected(IllegalArgumentException.class, "whitespace", () -> consumeFor(spaced));
      assertRejected(IllegalArgumentException.class, "whitespace",
          () -> consume(Mode.ENFORCE, spaced, T0, charge(BAD_INPUT_SLOT, 10, 1)));
      assertRejected(IllegalArgumentException.class, "whitespace",
          () -> consume(Mode.ENFORCE, T0, charge(new Slot("messages@hour ", T0, T0 + HOUR, 0), 10, 1)));
      assertRejected(IllegalArgumentException.class, "whitespace", () -> LimitRequest.of(spaced));
      assertRejected(IllegalArgumentException.class, "whitespace",
          () -> LimitRequest.of("u").idempotencyKey(spaced));
      assertRejected(IllegalArgumentException.class, "whitespace", () -> limiter.usage(INPUT_POLICY, spaced));
    }
    // Inner spaces are fine, and a subject with one is a subject of its own.
    consumeFor("user 1");
    assertThat(used("user 1", BAD_INPUT_SLOT, T0)).isEqualTo(1);
    assertThat(used(BAD_INPUT_SLOT, T0)).isEqualTo(3);
  }

  @Test
  void settlementsAndRollingSumsNearTheLargestAmountSaturateInsteadOfFailing() {
    // A caller's amount is any long of zero or more: no sum of them may overflow into a storage failure.
    Slot hour = hour("m", T0);
    consume(Mode.FORCE, T0, charge(hour, 0, 13));
    reserve("up", T0 + HOUR, T0, charge(hour, Long.MAX_VALUE, 10));
    assertThat(settle("up", T0, Long.MAX_VALUE)).isEqualTo(SettleResult.SETTLED);
    assertThat(used(hour, T0)).isEqualTo(Long.MAX_VALUE);

    Slot first = rolling("m", T0, MINUTE, 5);
    Slot second = rolling("m", T0 + MINUTE, MINUTE, 5);
    consume(Mode.FORCE, T0, charge(first, 0, Long.MAX_VALUE - 1));
    reserve("big", T0 + HOUR, T0 + MINUTE, charge(second, Long.MAX_VALUE, 0));
    assertThat(settle("big", T0 + MINUTE, Long.MAX_VALUE)).isEqualTo(SettleResult.SETTLED);
    assertThat(used(second, T0 + MINUTE)).isEqualTo(Long.MAX_VALUE);
    assertResult(consume(Mode.ENFORCE, T0 + MINUTE, charge(second, Long.MAX_VALUE, 1)), Status.DENIED,
        longs(Long.MAX_VALUE), bools(false));
    consume(Mode.REFUND, T0 + MINUTE, charge(second, 0, Long.MAX_VALUE));
    assertThat(used(second, T0 + MINUTE)).isEqualTo(Long.MAX_VALUE - 1);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Random operation sequences against a reference model

  private static final long MODEL_BUCKET = 10 * MINUTE;
  private static final int MODEL_LOOKBACK = 5;
  private static final long[] MODEL_LIMITS = {20, 60, 500, 4000, 30};
  private static final int MODEL_ROLLING = 4;

  private static Slot modelSlot(int kind, long at) {
    switch (kind) {
      case 0: return hour("m", at);
      case 1: return day("m", at);
      case 2: return day("t", at);
      case 3: return lifetime("u");
      default: return rolling("c", at, MODEL_BUCKET, MODEL_LOOKBACK);
    }
  }

  private static long modelAmount(int kind, SplittableRandom random) {
    switch (kind) {
      case 2: return random.nextInt(61);
      case 3: return random.nextInt(4);
      default: return random.nextInt(5);
    }
  }

  /**
   * One stored cell of the model: its buckets by start, the newest first written. A calendar or lifetime
   * cell is a rolling one without lookback: only its newest bucket counts.
   */
  private static final class ModelCell {
    final long length;
    final int lookback;
    final Map<Long, Long> buckets = new HashMap<>();
    long newest;
    long newestEnd;

    ModelCell(Slot slot) {
      this.length = slot.length();
      this.lookback = slot.lookback();
      this.newest = slot.start();
      this.newestEnd = slot.end();
    }

    /** Whether bucket {@code start} was written and still counts against the newest one. */
    boolean holds(long start) {
      return buckets.containsKey(start) && start >= newest - lookback * length;
    }

    /**
     * The usage counting against {@code slot}: a calendar or lifetime cell's unless it ended at or before the
     * slot's start; for a rolling cell, a newer stored bucket wins.
     */
    long usedFor(Slot slot) {
      if (lookback == 0) {
        return slot.counts(newestEnd) ? buckets.getOrDefault(newest, 0L) : 0;
      }
      long reference = Math.max(slot.start(), newest);
      return sumFrom(reference);
    }

    private long sumFrom(long reference) {
      long sum = 0;
      for (Map.Entry<Long, Long> e : buckets.entrySet()) {
        if (e.getKey() <= reference && e.getKey() >= reference - lookback * length) {
          sum = saturatedAdd(sum, e.getValue());
        }
      }
      return sum;
    }

    /** The bucket a write for {@code slot} goes to: for a calendar cell, the stored one if it counts. */
    long target(Slot slot) {
      return lookback == 0 && slot.counts(newestEnd) ? newest : Math.max(slot.start(), newest);
    }

    /**
     * Adds to the bucket {@code start}, the newest or a new one, resetting what stopped counting; a calendar
     * cell written into extends to the slot's end.
     */
    void add(Slot slot, long start, long amount) {
      if (start > newest) {
        newest = start;
        newestEnd = start == slot.start() ? slot.end() : start + length;
        buckets.keySet().removeIf(bucket -> bucket < newest - lookback * length);
      } else if (lookback == 0) {
        newestEnd = Math.max(newestEnd, slot.end());
      }
      buckets.merge(start, amount, UsageCounterContract::saturatedAdd);
    }

    void change(long start, long delta) {
      if (holds(start)) {
        long used = buckets.getOrDefault(start, 0L);
        buckets.put(start, delta >= 0 ? saturatedAdd(used, delta) : Math.max(0, used + delta));
      }
    }

    /** Until when usage of the newest bucket still counts. */
    long countsUntil() {
      return saturatedAdd(newestEnd, lookback * length);
    }

    /** Until when a store keeps the cell: a calendar cell until no slot of any zone can overlap it. */
    long keptUntil() {
      return lookback == 0 ? Slot.calendarCellKeptUntil(newest, newestEnd) : countsUntil();
    }
  }

  /** A reservation of the model. */
  private static final class ModelReservation {
    final List<Charge> charges;
    final long[] chargedStarts;
    final long expiresAt;
    boolean settled;
    boolean cancelled;

    ModelReservation(List<Charge> charges, long[] chargedStarts, long expiresAt) {
      this.charges = charges;
      this.chargedStarts = chargedStarts;
      this.expiresAt = expiresAt;
    }
  }

  /** What the SPI Javadoc says one subject's store holds, written as plainly as possible. */
  private static final class Model {
    final Map<String, ModelCell> cells = new HashMap<>();
    final Map<String, Long> ids = new HashMap<>();
    /** What each remembered id was used for: its mode's family and its charges' amounts by key. */
    final Map<String, String> purposes = new HashMap<>();
    final Map<String, ModelReservation> reservations = new HashMap<>();
    /** Ids of settled reservations that purge forgot: settling them again may answer either way. */
    final Set<String> forgottenSettled = new HashSet<>();

    long current(Slot slot) {
      ModelCell cell = cells.get(slot.key());
      return cell == null ? 0 : cell.usedFor(slot);
    }

    /** Returns the expected result; the arrays are filled. */
    Status consume(ConsumeRequest request, long[] used, boolean[] fits) {
      List<Charge> charges = request.charges();
      String id = request.operationId();
      boolean allFit = true;
      for (int i = 0; i < charges.size(); i++) {
        used[i] = current(charges.get(i).slot());
        fits[i] = charges.get(i).fits(used[i]);
        allFit &= fits[i];
      }
      if (id != null && ids.containsKey(id)) {
        return purpose(request).equals(purposes.get(id)) ? Status.DUPLICATE : Status.MISMATCH;
      }
      Mode mode = request.mode();
      if (mode == Mode.CHECK) {
        return allFit ? Status.APPLIED : Status.DENIED;
      }
      if (!allFit && (mode == Mode.ENFORCE || mode == Mode.RESERVE)) {
        return Status.DENIED;
      }
      long[] chargedStarts = new long[charges.size()];
      for (int i = 0; i < charges.size(); i++) {
        Charge charge = charges.get(i);
        Slot slot = charge.slot();
        ModelCell cell = cells.get(slot.key());
        if (mode == Mode.REFUND) {
          if (cell != null) {
            cell.change(slot.start(), -charge.amount());
          }
        } else if (cell != null && slot.start() < cell.newest && mode == Mode.FORCE) {
          cell.change(slot.start(), charge.amount()); // dropped unless that bucket still counts
        } else {
          if (cell == null) {
            cell = new ModelCell(slot);
            cells.put(slot.key(), cell);
          }
          chargedStarts[i] = cell.target(slot);
          cell.add(slot, chargedStarts[i], charge.amount());
        }
        used[i] = current(slot);
      }
      if (id != null) {
        ids.put(id, request.expiresAt());
        purposes.put(id, purpose(request));
        forgottenSettled.remove(id);
        if (mode == Mode.RESERVE) {
          reservations.put(id, new ModelReservation(charges, chargedStarts, request.expiresAt()));
        }
      }
      return Status.APPLIED;
    }

    SettleResult settle(String id, long[] finals) {
      ModelReservation reservation = reservations.get(id);
      if (reservation == null) {
        return SettleResult.NOT_FOUND;
      }
      if (reservation.settled) {
        return reservation.cancelled ? SettleResult.CANCELLED : SettleResult.ALREADY_SETTLED;
      }
      applySettlement(reservation, finals);
      reservation.cancelled = Arrays.stream(finals).allMatch(amount -> amount == 0);
      return SettleResult.SETTLED;
    }

    /** Whether two requests with one id are the same: their kind (count, reserve, refund) and charges. */
    static String purpose(ConsumeRequest request) {
      Mode mode = request.mode();
      Map<String, Long> amounts = new TreeMap<>();
      for (Charge charge : request.charges()) {
        amounts.put(charge.slot().key(), charge.amount());
      }
      return (mode == Mode.RESERVE || mode == Mode.REFUND ? mode.name() : "COUNT") + amounts;
    }

    private void applySettlement(ModelReservation reservation, long[] finals) {
      for (int i = 0; i < finals.length; i++) {
        Charge charge = reservation.charges.get(i);
        ModelCell cell = cells.get(charge.slot().key());
        if (cell != null) {
          cell.change(reservation.chargedStarts[i], finals[i] - charge.amount());
        }
      }
      reservation.settled = true;
    }

    void purge(long now) {
      for (Iterator<Map.Entry<String, ModelReservation>> it = reservations.entrySet().iterator();
           it.hasNext(); ) {
        Map.Entry<String, ModelReservation> e = it.next();
        ModelReservation reservation = e.getValue();
        if (reservation.expiresAt < now) {
          if (reservation.settled) {
            forgottenSettled.add(e.getKey());
          } else {
            applySettlement(reservation, new long[reservation.charges.size()]);
          }
          it.remove();
        }
      }
      cells.values().removeIf(cell -> cell.keptUntil() <= now);
      ids.values().removeIf(expiresAt -> expiresAt < now);
      purposes.keySet().retainAll(ids.keySet());
    }

    /**
     * The snapshot at {@code now}; for rolling cells with {@code used} -1, as the Javadoc leaves open
     * whether it sums the buckets kept or those counting at {@code now}.
     */
    List<SlotUsage> snapshot(long now) {
      List<SlotUsage> result = new ArrayList<>();
      cells.forEach((key, cell) -> {
        if (cell.countsUntil() > now) {
          result.add(new SlotUsage(key, cell.newest, cell.lookback > 0 ? -1 : cell.buckets.get(cell.newest)));
        }
      });
      return result;
    }
  }

  /** Adds two amounts of zero or more, saturating at {@link Long#MAX_VALUE}. */
  private static long saturatedAdd(long a, long b) {
    long sum = a + b;
    return sum < 0 ? Long.MAX_VALUE : sum;
  }

  /**
   * Returns how many random operations {@link #randomOperationSequencesMatchAReferenceModel()} runs for each
   * of its three subjects; 1500 by default.
   *
   * @return zero or more
   */
  protected int modelOperations() {
    return 1500;
  }

  /**
   * Random consumes in every mode, with and without operation ids, settles, purges and a clock that now and
   * then lags, for three subjects at once, checked step by step against a plain model of the Javadoc. Times
   * never fall on a period boundary or an expiry, so nothing here depends on how a store rounds at the edges.
   * Each subject has ids of its own: the Javadoc does not say whether ids are scoped by subject.
   */
  @Test
  void randomOperationSequencesMatchAReferenceModel() {
    SplittableRandom random = new SplittableRandom(20_260_101L);
    String[] subjects = {"model-a", "model-b", "model-c"};
    Model[] models = {new Model(), new Model(), new Model()};
    long now = T0 + 17; // always 17 ms past a whole second: never on a boundary; expiries end in 5 ms
    for (int step = 0; step < subjects.length * modelOperations(); step++) {
      int jump = random.nextInt(100);
      now += jump < 70 ? random.nextInt(41) * 1000L : jump < 95 ? random.nextInt(21) * MINUTE
          : (1 + random.nextInt(10)) * HOUR;
      long at = random.nextInt(100) < 15 ? now - (1 + random.nextInt(90)) * MINUTE : now;
      int which = random.nextInt(subjects.length);
      String subject = subjects[which];
      Model model = models[which];
      String id = "op-" + which + "-" + random.nextInt(40);
      int op = random.nextInt(100);
      String what;
      if (op < 76) {
        Mode mode = op < 35 ? Mode.ENFORCE : op < 45 ? Mode.CHECK : op < 53 ? Mode.FORCE : op < 61 ? Mode.REFUND
            : Mode.RESERVE;
        List<Integer> kinds = new ArrayList<>(List.of(0, 1, 2, 3, MODEL_ROLLING));
        // The Javadoc does not say where late usage or refunds of an older rolling bucket go.
        if (at != now && (mode == Mode.FORCE || mode == Mode.REFUND)) {
          kinds.remove(Integer.valueOf(MODEL_ROLLING));
        }
        Collections.shuffle(kinds, new Random(random.nextLong()));
        List<Charge> charges = new ArrayList<>();
        for (int kind : kinds.subList(0, 1 + random.nextInt(kinds.size()))) {
          charges.add(charge(modelSlot(kind, at), MODEL_LIMITS[kind], modelAmount(kind, random)));
        }
        String operationId = mode == Mode.RESERVE || random.nextInt(100) < 40 ? id : null;
        long expiresAt = at + (1 + random.nextInt(240)) * MINUTE - 12;
        ConsumeRequest request = new ConsumeRequest(subject, charges, mode, operationId, expiresAt, at);
        what = "step " + step + ": " + request;
        long[] used = new long[charges.size()];
        boolean[] fits = new boolean[charges.size()];
        Status expected = model.consume(request, used, fits);
        ConsumeResult actual = counter.consume(request);
        assertThat(actual.status()).as("status at %s", what).isEqualTo(expected);
        assertThat(actual.size()).as("size at %s", what).isEqualTo(charges.size());
        for (int i = 0; i < charges.size(); i++) {
          assertThat(actual.used(i)).as("used(%s) at %s", i, what).isEqualTo(used[i]);
          if (expected != Status.DUPLICATE && expected != Status.MISMATCH && mode != Mode.REFUND) {
            assertThat(actual.fits(i)).as("fits(%s) at %s", i, what).isEqualTo(fits[i]);
          }
        }
      } else if (op < 90) {
        if (!model.reservations.isEmpty() && random.nextInt(100) < 70) {
          List<String> known = new ArrayList<>(model.reservations.keySet());
          Collections.sort(known);
          id = known.get(random.nextInt(known.size()));
        }
        ModelReservation live = model.reservations.get(id);
        if (live != null && !live.settled && live.expiresAt < now) {
          continue; // expired but not yet refunded: the contract leaves this to the store
        }
        int size = live != null ? live.charges.size() : 1 + random.nextInt(3);
        boolean wrongSize = live != null && !live.settled && random.nextInt(20) == 0;
        long[] finals = new long[wrongSize ? size + 1 : size];
        for (int i = 0; i < finals.length && random.nextInt(10) > 0; i++) {
          long estimate = live != null && i < size ? live.charges.get(i).amount() : 5;
          finals[i] = random.nextInt((int) (2 * estimate + 2));
        }
        what = "step " + step + ": settle " + id + " with " + Arrays.toString(finals) + " at " + now;
        SettleRequest request = new SettleRequest(subject, id, finals, now);
        if (wrongSize) {
          assertThatThrownBy(() -> counter.settle(request)).as(what)
              .isInstanceOf(IllegalArgumentException.class);
        } else if (live == null && model.forgottenSettled.contains(id)) {
          assertThat(counter.settle(request)).as(what)
              .isIn(SettleResult.NOT_FOUND, SettleResult.ALREADY_SETTLED, SettleResult.CANCELLED);
        } else {
          assertThat(counter.settle(request)).as(what).isEqualTo(model.settle(id, finals));
        }
      } else if (op < 93) {
        int batch = 1 + random.nextInt(5);
        what = "step " + step + ": purge(" + now + ", " + batch + ") until done";
        for (Model each : models) {
          each.purge(now);
        }
        int handled;
        int calls = 0;
        do {
          handled = counter.purge(now, batch);
          assertThat(handled).as(what).isBetween(0, batch);
          assertThat(++calls).as(what).isLessThan(10_000);
        } while (handled == batch);
      } else {
        what = "step " + step + ": snapshot at " + now;
      }
      for (int k = 0; k < subjects.length; k++) {
        if (k == which || op >= 90 && op < 93) {
          assertMatchesModel(subjects[k], models[k], now, what);
        }
      }
    }
  }

  private void assertMatchesModel(String subject, Model model, long now, String what) {
    List<SlotUsage> snapshot = new ArrayList<>();
    for (SlotUsage usage : counter.snapshot(subject, now)) {
      boolean rolling = usage.key().equals(modelSlot(MODEL_ROLLING, now).key());
      snapshot.add(rolling ? new SlotUsage(usage.key(), usage.start(), -1) : usage);
    }
    assertThat(snapshot).as("snapshot of %s after %s", subject, what)
        .containsExactlyInAnyOrderElementsOf(model.snapshot(now));
    Slot rolling = modelSlot(MODEL_ROLLING, now);
    assertThat(used(subject, rolling, now)).as("rolling usage of %s after %s", subject, what)
        .isEqualTo(model.current(rolling));
  }

  // ---------------------------------------------------------------------------------------------------------
  // Concurrency: many threads on one subject, then exact final invariants. No sleeps.

  /** The body of one thread of a concurrency test. */
  @FunctionalInterface
  private interface Worker {
    /**
     * Runs thread {@code thread}; {@code barrier} holds all threads of the test, for phased tests.
     */
    void run(int thread, CyclicBarrier barrier) throws Exception;
  }

  /**
   * Runs {@code worker} on {@link #concurrencyThreads()} threads released at once, waits for all of them
   * within {@link #concurrencyTimeout()}, and rethrows the first real failure.
   */
  private void runConcurrently(Worker worker) throws Exception {
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

  private void awaitPhase(CyclicBarrier barrier) throws Exception {
    barrier.await(concurrencyTimeout().toMillis(), TimeUnit.MILLISECONDS);
  }

  @Test
  void concurrentConsumesCountExactlyWhatWasAppliedAndNeverExceedALimit() throws Exception {
    int ops = operationsPerThread();
    long attempts = (long) concurrencyThreads() * ops;
    // 500 messages an hour, 800 a day and 50,000 tokens a day by default; scaled down for fewer attempts so
    // that the limits are still reached.
    long hourLimit = Math.max(5, Math.min(500, attempts / 4));
    long dayLimit = hourLimit * 8 / 5;
    long tokenLimit = hourLimit * 100;
    long firstHour = T0 + 7 * HOUR;
    long secondHour = firstHour + HOUR;
    AtomicLong appliedFirstHour = new AtomicLong();
    AtomicLong appliedSecondHour = new AtomicLong();
    AtomicLong tokensApplied = new AtomicLong();
    AtomicLong denied = new AtomicLong();

    runConcurrently((thread, barrier) -> {
      SplittableRandom random = new SplittableRandom(42 + thread);
      for (int i = 0; i < ops; i++) {
        boolean first = i < ops / 2;
        if (i == ops / 2) {
          awaitPhase(barrier); // every first-hour consume is done; the second hour begins for all threads
        }
        long now = (first ? firstHour : secondHour) + i % 1000;
        long tokens = 1 + random.nextInt(150);
        ConsumeResult result = counter.consume(new ConsumeRequest(SUBJECT, List.of(
            charge(hour("messages", now), hourLimit, 1),
            charge(day("messages", now), dayLimit, 1),
            charge(day("tokens", now), tokenLimit, tokens)), Mode.ENFORCE, null, 0, now));

        assertThat(result.size()).isEqualTo(3);
        assertThat(result.used(0)).as("messages this hour in %s", result).isBetween(0L, hourLimit);
        assertThat(result.used(1)).as("messages today in %s", result).isBetween(0L, dayLimit);
        assertThat(result.used(2)).as("tokens today in %s", result).isBetween(0L, tokenLimit);
        // Both message cells always move together: a result showing one without the other saw half an
        // operation.
        long earlierHours = first ? 0 : appliedFirstHour.get();
        assertThat(result.used(1) - result.used(0)).as("messages today minus this hour in %s", result)
            .isEqualTo(earlierHours);
        if (result.status() == Status.APPLIED) {
          assertThat(new boolean[] {result.fits(0), result.fits(1), result.fits(2)}).as("fits of %s", result)
              .containsOnly(true);
          (first ? appliedFirstHour : appliedSecondHour).incrementAndGet();
          tokensApplied.addAndGet(tokens);
        } else {
          assertThat(result.status()).as("status of %s", result).isEqualTo(Status.DENIED);
          assertThat(new boolean[] {result.fits(0), result.fits(1), result.fits(2)}).as("fits of %s", result)
              .contains(false);
          denied.incrementAndGet();
        }
      }
    });

    long now = secondHour + HOUR - 1;
    long messages = appliedFirstHour.get() + appliedSecondHour.get();
    assertThat(messages + denied.get()).isEqualTo(attempts);
    assertThat(denied.get()).as("consumes denied: the limits were reached").isPositive();
    assertThat(appliedFirstHour.get()).isBetween(1L, hourLimit);
    assertThat(appliedSecondHour.get()).isBetween(0L, hourLimit); // tokens may run out in the first hour
    assertThat(used(hour("messages", now), now)).isEqualTo(appliedSecondHour.get());
    assertThat(used(day("messages", now), now)).isEqualTo(messages).isLessThanOrEqualTo(dayLimit);
    assertThat(used(day("tokens", now), now)).isEqualTo(tokensApplied.get()).isLessThanOrEqualTo(tokenLimit);
    assertThat(snapshot(SUBJECT, now)).containsOnlyKeys("messages@hour", "messages@day", "tokens@day");
  }

  @Test
  void concurrentForcesAndRefundsKeepExactCounts() throws Exception {
    int ops = operationsPerThread();
    long attempts = (long) concurrencyThreads() * ops;
    long limit = Math.max(10, attempts); // about a third of what is counted net of refunds
    long now = T0 + 9 * HOUR + MINUTE;
    Slot tokens = hour("tokens", now);
    Slot lifetime = lifetime("tokens");
    AtomicLong expected = new AtomicLong();
    AtomicLong denied = new AtomicLong();

    // Every refund gives back an amount this thread counted before, so the total never needs the zero floor
    // and the final usage is exactly what was counted minus what was refunded.
    runConcurrently((thread, barrier) -> {
      SplittableRandom random = new SplittableRandom(1_000 + thread);
      for (int i = 0; i < ops; i++) {
        long amount = 1 + random.nextInt(8);
        int choice = random.nextInt(10);
        Mode mode = choice < 2 ? Mode.FORCE : Mode.ENFORCE;
        ConsumeResult result = counter.consume(new ConsumeRequest(SUBJECT,
            List.of(charge(tokens, limit, amount), charge(lifetime, limit, amount)), mode, null, 0, now));
        assertThat(result.used(0)).as("both cells move together in %s", result).isEqualTo(result.used(1));
        if (result.status() == Status.DENIED) {
          denied.incrementAndGet();
          continue;
        }
        expected.addAndGet(amount);
        if (choice >= 7) {
          ConsumeResult refund = counter.consume(new ConsumeRequest(SUBJECT,
              List.of(charge(tokens, limit, amount), charge(lifetime, limit, amount)), Mode.REFUND, null, 0,
              now));
          assertThat(refund.status()).as("refund").isEqualTo(Status.APPLIED);
          assertThat(refund.used(0)).as("both cells move together in %s", refund).isEqualTo(refund.used(1));
          expected.addAndGet(-amount);
        }
      }
    });

    assertThat(denied.get()).as("consumes denied: the limit was reached").isPositive();
    assertThat(used(tokens, now)).isEqualTo(expected.get());
    assertThat(used(lifetime, now)).isEqualTo(expected.get());
  }

  @Test
  void concurrentReservationsSettlementsAndCancellationsKeepExactCounts() throws Exception {
    int ops = operationsPerThread();
    long attempts = (long) concurrencyThreads() * ops;
    long requestLimit = Math.max(4, attempts * 3 / 4);
    long tokenLimit = attempts * 15; // about a third of what the reservations ask for
    long now = T0 + MINUTE;
    long expiresAt = T0 + 30 * MINUTE;
    Slot requests = hour("requests", now);
    Slot tokens = day("tokens", now);
    AtomicLong expectedRequests = new AtomicLong();
    AtomicLong expectedTokens = new AtomicLong();
    AtomicLong openRequests = new AtomicLong();
    AtomicLong openTokens = new AtomicLong();
    AtomicLong denied = new AtomicLong();
    Queue<long[]> handedOver = new ConcurrentLinkedQueue<>();
    Map<String, AtomicInteger> settledById = new ConcurrentHashMap<>();

    runConcurrently((thread, barrier) -> {
      SplittableRandom random = new SplittableRandom(7 + thread);
      for (int i = 0; i < ops; i++) {
        String id = "r-" + thread + "-" + i;
        long estimate = 1 + random.nextInt(100);
        ConsumeResult reserved = counter.consume(new ConsumeRequest(SUBJECT,
            List.of(charge(requests, requestLimit, 1), charge(tokens, tokenLimit, estimate)), Mode.RESERVE, id,
            expiresAt, now));
        if (reserved.status() == Status.DENIED) {
          denied.incrementAndGet();
        } else {
          assertThat(reserved.status()).as("reserve %s", id).isEqualTo(Status.APPLIED);
          switch (random.nextInt(4)) {
            case 0: {
              long actual = random.nextInt((int) (2 * estimate + 1));
              expectedRequests.incrementAndGet();
              expectedTokens.addAndGet(actual);
              assertThat(settleFor(id, now, 1, actual)).as("settle %s", id).isEqualTo(SettleResult.SETTLED);
              assertThat(settleFor(id, now, 1, actual)).as("settle %s again", id)
                  .isEqualTo(SettleResult.ALREADY_SETTLED);
              break;
            }
            case 1:
              assertThat(settleFor(id, now, 0, 0)).as("cancel %s", id).isEqualTo(SettleResult.SETTLED);
              break;
            case 2:
              openRequests.incrementAndGet();
              openTokens.addAndGet(estimate);
              break;
            default: {
              // Settled twice at once: by this thread now, and by whichever thread polls it first.
              long actual = estimate / 2;
              expectedRequests.incrementAndGet();
              expectedTokens.addAndGet(actual);
              handedOver.add(new long[] {thread, i, actual});
              recordSettle(settledById, id, settleFor(id, now, 1, actual));
              break;
            }
          }
        }
        long[] other = handedOver.poll();
        if (other != null) {
          String otherId = "r-" + other[0] + "-" + other[1];
          recordSettle(settledById, otherId, settleFor(otherId, now, 1, other[2]));
        }
      }
    });

    for (long[] other = handedOver.poll(); other != null; other = handedOver.poll()) {
      String otherId = "r-" + other[0] + "-" + other[1];
      recordSettle(settledById, otherId, settleFor(otherId, now, 1, other[2]));
    }
    assertThat(settledById.values()).allSatisfy(count -> assertThat(count.get()).isEqualTo(1));
    assertThat(denied.get()).as("reservations denied: the token limit was reached").isPositive();
    assertThat(used(requests, now)).isEqualTo(expectedRequests.get() + openRequests.get());
    assertThat(used(tokens, now)).isEqualTo(expectedTokens.get() + openTokens.get());

    long afterExpiry = expiresAt + 1;
    purgeUntilDone(afterExpiry);
    assertThat(used(requests, afterExpiry)).isEqualTo(expectedRequests.get());
    assertThat(used(tokens, afterExpiry)).isEqualTo(expectedTokens.get());
    purgeUntilDone(afterExpiry + MINUTE);
    assertThat(used(tokens, afterExpiry)).isEqualTo(expectedTokens.get());
  }

  private SettleResult settleFor(String id, long now, long... finalAmounts) {
    return counter.settle(new SettleRequest(SUBJECT, id, finalAmounts, now));
  }

  private static void recordSettle(Map<String, AtomicInteger> settledById, String id, SettleResult result) {
    AtomicInteger settled = settledById.computeIfAbsent(id, k -> new AtomicInteger());
    if (result == SettleResult.SETTLED) {
      settled.incrementAndGet();
    } else {
      assertThat(result).as("settle %s", id).isEqualTo(SettleResult.ALREADY_SETTLED);
    }
  }

  private void purgeUntilDone(long now) {
    for (int calls = 0; counter.purge(now, 1000) >= 1000; calls++) {
      assertThat(calls).as("purge calls before it reports done").isLessThan(10_000);
    }
  }

  @Test
  void concurrentRetriesWithTheSameOperationIdsCountEachOnce() throws Exception {
    int keys = operationsPerThread();
    long now = T0 + 3 * HOUR;
    Slot messages = hour("messages", now);
    Slot tokens = day("tokens", now);
    long tokenLimit = 0;
    for (int k = 0; k < keys; k++) {
      tokenLimit += 1 + k % 5;
    }
    // The limits fit every key exactly once: a key counted twice would make a later key fail.
    long exactTokenLimit = tokenLimit;
    AtomicLongArray applied = new AtomicLongArray(keys);

    runConcurrently((thread, barrier) -> {
      List<Integer> order = new ArrayList<>();
      for (int k = 0; k < keys; k++) {
        order.add(k);
      }
      Collections.shuffle(order, new Random(99 + thread));
      Mode mode = thread % 2 == 0 ? Mode.ENFORCE : Mode.FORCE;
      for (int k : order) {
        ConsumeResult result = counter.consume(new ConsumeRequest(SUBJECT,
            List.of(charge(messages, keys, 1), charge(tokens, exactTokenLimit, 1 + k % 5)), mode, "key-" + k,
            now + DAY, now));
        if (result.status() == Status.APPLIED) {
          applied.incrementAndGet(k);
        } else {
          assertThat(result.status()).as("retry of key-%s: %s", k, result).isEqualTo(Status.DUPLICATE);
        }
      }
    });

    for (int k = 0; k < keys; k++) {
      assertThat(applied.get(k)).as("times key-%s was applied", k).isEqualTo(1);
    }
    assertThat(used(messages, now)).isEqualTo(keys);
    assertThat(used(tokens, now)).isEqualTo(exactTokenLimit);
  }

  @Test
  void concurrentSubjectsAndPurgesDoNotDisturbEachOther() throws Exception {
    int ops = operationsPerThread();
    long ended = T0 - DAY;
    long now = T0 + 5 * HOUR;
    long limit = ops / 2;
    int threads = concurrencyThreads();
    for (int t = 0; t < threads; t++) {
      for (int k = 0; k < 5; k++) {
        counter.consume(new ConsumeRequest("user-" + t, List.of(charge(hour("old-" + k, ended), 10, 1)),
            Mode.ENFORCE, "old-op-" + k, ended + HOUR, ended));
      }
    }
    AtomicLongArray appliedBySubject = new AtomicLongArray(threads);

    runConcurrently((thread, barrier) -> {
      // Even threads consume on their own subject; odd threads also purge between their consumes.
      String subject = "user-" + thread;
      for (int i = 0; i < ops; i++) {
        ConsumeResult result = counter.consume(new ConsumeRequest(subject,
            List.of(charge(hour("messages", now), limit, 1), charge(day("messages", now), limit * 2, 1)),
            Mode.ENFORCE, null, 0, now + i % 1000));
        if (result.status() == Status.APPLIED) {
          appliedBySubject.incrementAndGet(thread);
        }
        if (thread % 2 == 1 && i % 10 == 0) {
          assertThat(counter.purge(now, 3)).isBetween(0, 3);
        }
      }
    });

    purgeUntilDone(now);
    for (int t = 0; t < threads; t++) {
      String subject = "user-" + t;
      assertThat(appliedBySubject.get(t)).as("consumes applied for %s", subject).isEqualTo(limit);
      assertThat(used(subject, hour("messages", now), now)).isEqualTo(limit);
      assertThat(used(subject, day("messages", now), now)).isEqualTo(limit);
      assertThat(snapshot(subject, ended)).as("snapshot of %s after purging", subject)
          .containsOnlyKeys("messages@hour", "messages@day");
    }
  }

  @Test
  void concurrentPurgesNeverLoseLiveUsage() throws Exception {
    int ops = operationsPerThread();
    int perSubject = 4;
    int groupSize = 64;
    long limit = 5;
    int subjects = (ops + perSubject - 1) / perSubject;
    int groups = (subjects + groupSize - 1) / groupSize;
    AtomicLongArray applied = new AtomicLongArray(subjects);

    // Subject s counts in hour s; the threads move through the subjects in step, a group at a time.
    // The first touch of a subject (a CHECK) may leave it stored but empty, which purge is free to drop while
    // other threads already count for it. Purges at the start of the group's first hour drop only the cells
    // of earlier groups, so the store stays small and every drop is of an ended period.
    runConcurrently((thread, barrier) -> {
      for (int i = 0; i < ops; i++) {
        int s = i / perSubject;
        int group = s / groupSize;
        if (i > 0 && i % (perSubject * groupSize) == 0) {
          awaitPhase(barrier);
          if (thread == 0) {
            assertGroupCounted(group - 1, groupSize, subjects, applied, limit);
          }
          awaitPhase(barrier);
        }
        String subject = "churn-" + s;
        long now = T0 + s * HOUR + MINUTE;
        Slot slot = hour("messages", now);
        if (i % perSubject == 0) {
          counter.consume(
              new ConsumeRequest(subject, List.of(charge(slot, limit, 0)), Mode.CHECK, null, 0, now));
        } else {
          ConsumeResult result = counter.consume(
              new ConsumeRequest(subject, List.of(charge(slot, limit, 1)), Mode.ENFORCE, null, 0, now));
          if (result.status() == Status.APPLIED) {
            applied.incrementAndGet(s);
          }
        }
        assertThat(counter.purge(T0 + group * groupSize * HOUR + MINUTE, 2)).isBetween(0, 2);
      }
    });

    assertGroupCounted(groups - 1, groupSize, subjects, applied, limit);
  }

  private void assertGroupCounted(int group, int groupSize, int subjects, AtomicLongArray applied, long limit) {
    for (int s = group * groupSize; s < Math.min(subjects, (group + 1) * groupSize); s++) {
      String subject = "churn-" + s;
      long now = T0 + s * HOUR + MINUTE;
      assertThat(applied.get(s)).as("consumes applied for %s", subject).isLessThanOrEqualTo(limit);
      assertThat(used(subject, hour("messages", now), now)).as("usage of %s", subject).isEqualTo(applied.get(s));
    }
  }
}
