package dev.limits.testkit;

import static dev.limits.testkit.UsageCounterContract.DAY;
import static dev.limits.testkit.UsageCounterContract.HOUR;
import static dev.limits.testkit.UsageCounterContract.MINUTE;
import static dev.limits.testkit.UsageCounterContract.OTHER_SUBJECT;
import static dev.limits.testkit.UsageCounterContract.SUBJECT;
import static dev.limits.testkit.UsageCounterContract.T0;
import static dev.limits.testkit.UsageCounterContract.charge;
import static dev.limits.testkit.UsageCounterContract.day;
import static dev.limits.testkit.UsageCounterContract.hour;
import static dev.limits.testkit.UsageCounterContract.lifetime;
import static dev.limits.testkit.UsageCounterContract.rolling;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.limits.Decision;
import dev.limits.LimitPolicy;
import dev.limits.LimitRequest;
import dev.limits.Limiter;
import dev.limits.Metric;
import dev.limits.Reservation;
import dev.limits.Window;
import dev.limits.spi.ConsumeRequest;
import dev.limits.spi.ConsumeRequest.Mode;
import dev.limits.spi.ConsumeResult.Status;
import dev.limits.spi.Slot;
import dev.limits.spi.SlotUsage;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Purge and snapshot: what a snapshot of a subject lists, and purge dropping what ended, in batches, and nothing
 * live; and a limiter's scheduled purge.
 */
abstract class PurgeAndSnapshotTopic extends ContractTopic {

  PurgeAndSnapshotTopic(UsageCounterContract contract) {
    super(contract);
  }

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

    // A calendar cell is kept a while after its period (see ZoneChangeTopic): the hour's keep is over
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
}
