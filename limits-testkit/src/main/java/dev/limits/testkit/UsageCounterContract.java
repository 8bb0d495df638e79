package dev.limits.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.limits.spi.Charge;
import dev.limits.spi.ConsumeRequest;
import dev.limits.spi.ConsumeRequest.Mode;
import dev.limits.spi.ConsumeResult;
import dev.limits.spi.SettleRequest;
import dev.limits.spi.SettleResult;
import dev.limits.spi.Slot;
import dev.limits.spi.SlotUsage;
import dev.limits.spi.UsageCounter;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;

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
 * <p>The tests check what the SPI Javadoc states, and nothing an implementation may choose. They use fixed
 * instants of their own, never the wall clock. This class holds the fixtures; the tests come in one
 * {@code @Nested} class per topic, which JUnit runs for every subclass (each subclass's test report lists its
 * tests under their topic, such as {@code UsageCounterContract$Consume}):
 * <ul>
 *   <li>{@code Consume}: all-or-nothing consumes over several windows of several metrics, the fit rules of
 *       {@link Charge}, CHECK and FORCE;
 *   <li>{@code Windows}: period rollover, a lagging clock, rolling and lifetime slots;
 *   <li>{@code ZoneChanges}: a user who picks another zone never frees usage;
 *   <li>{@code Refunds};
 *   <li>{@code Idempotency}: operation ids, retries, mismatches;
 *   <li>{@code Reservations}: estimates, settling, expiry;
 *   <li>{@code PurgeAndSnapshot};
 *   <li>{@code BadInput}: rejection of bad input, before any counter changes;
 *   <li>{@code RandomSequences}: random operation sequences checked step by step against a plain reference
 *       model of the Javadoc;
 *   <li>{@code Concurrency}: many threads at once on one subject, then exact final counts;
 *   <li>{@code SeveralSubjects}: requests that charge a user, their team and their organisation at once.
 * </ul>
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
   * Returns how many random operations the random operation sequences test runs for each
   * of its three subjects; 1500 by default.
   *
   * @return zero or more
   */
  protected int modelOperations() {
    return 1500;
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

  // ---------------------------------------------------------------------------------------------------------
  // The topics: each in a file of its own, run here so that every subclass runs them against its store.

  /** Consume: all or nothing, fit rules, CHECK and FORCE. */
  @Nested
  class Consume extends ConsumeTopic {
    Consume() {
      super(UsageCounterContract.this);
    }
  }

  /** Windows: rollover, a lagging clock, rolling and lifetime slots. */
  @Nested
  class Windows extends WindowTopic {
    Windows() {
      super(UsageCounterContract.this);
    }
  }

  /** Zone changes: a user who picks another zone never frees usage. */
  @Nested
  class ZoneChanges extends ZoneChangeTopic {
    ZoneChanges() {
      super(UsageCounterContract.this);
    }
  }

  /** Refunds. */
  @Nested
  class Refunds extends RefundTopic {
    Refunds() {
      super(UsageCounterContract.this);
    }
  }

  /** Idempotency. */
  @Nested
  class Idempotency extends IdempotencyTopic {
    Idempotency() {
      super(UsageCounterContract.this);
    }
  }

  /** Reservations. */
  @Nested
  class Reservations extends ReservationTopic {
    Reservations() {
      super(UsageCounterContract.this);
    }
  }

  /** Purge and snapshot. */
  @Nested
  class PurgeAndSnapshot extends PurgeAndSnapshotTopic {
    PurgeAndSnapshot() {
      super(UsageCounterContract.this);
    }
  }

  /** Bad input never changes a counter. */
  @Nested
  class BadInput extends BadInputTopic {
    BadInput() {
      super(UsageCounterContract.this);
    }
  }

  /** Random operation sequences against a reference model. */
  @Nested
  class RandomSequences extends RandomSequenceTopic {
    RandomSequences() {
      super(UsageCounterContract.this);
    }
  }

  /** Concurrency: many threads on one subject, then exact final invariants. */
  @Nested
  class Concurrency extends ConcurrencyTopic {
    Concurrency() {
      super(UsageCounterContract.this);
    }
  }

  /** Several subjects in one request: nested budgets, all or nothing, no deadlock. */
  @Nested
  class SeveralSubjects extends SeveralSubjectsTopic {
    SeveralSubjects() {
      super(UsageCounterContract.this);
    }
  }
}
