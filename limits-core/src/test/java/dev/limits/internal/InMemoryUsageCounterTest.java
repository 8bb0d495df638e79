package dev.limits.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.limits.spi.Charge;
import dev.limits.spi.ConsumeRequest;
import dev.limits.spi.ConsumeRequest.Mode;
import dev.limits.spi.ConsumeResult;
import dev.limits.spi.Slot;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What the contract suite cannot see: the purge schedule and the fast entry point's arrays. */
class InMemoryUsageCounterTest {

  static final long HOUR = 3_600_000;
  static final long T0 = 1_772_445_600_000L; // 2026-03-02T10:00:00Z

  final InMemoryUsageCounter counter = new InMemoryUsageCounter();

  static Slot hour(String key, long now) {
    long start = now - Math.floorMod(now, HOUR);
    return new Slot(key, start, start + HOUR, 0);
  }

  @Test
  void purgesByItselfEveryPurgeEveryNewSubjects() {
    for (int i = 0; i < InMemoryUsageCounter.PURGE_EVERY - 1; i++) {
      long now = T0 + i * HOUR + 60_000;
      counter.consume(new ConsumeRequest("s" + i, List.of(new Charge(hour("m@hour", now), 5, 1)), Mode.ENFORCE,
          null, 0, now));
    }
    assertThat(counter.subjectCount()).isEqualTo(InMemoryUsageCounter.PURGE_EVERY - 1);
    long now = T0 + InMemoryUsageCounter.PURGE_EVERY * HOUR;
    counter.consume(new ConsumeRequest("last", List.of(new Charge(hour("m@hour", now), 5, 1)), Mode.ENFORCE,
        null, 0, now));
    assertThat(counter.subjectCount()).as("ended subjects dropped by the automatic purge")
        .isLessThan(InMemoryUsageCounter.PURGE_EVERY - 1);
  }

  // After the keep of T0's hour (a day and an hour after it ended, see Slot.calendarCellKeptUntil).
  static final long LATER = T0 + 2 * 24 * HOUR;

  /** 1,000 subjects counted at T0, whose hour purge may drop by {@link #LATER}. */
  void countEndedSubjects() {
    for (int i = 0; i < 1_000; i++) {
      counter.consume(new ConsumeRequest("s" + i, List.of(new Charge(hour("m@hour", T0), 5, 1)), Mode.ENFORCE,
          null, 0, T0));
    }
  }

  /** One message at {@link #LATER} through the fast entry point. */
  boolean enforceLater(String subject) {
    return counter.enforce(subject, null, new int[] {CounterKeys.id("m@hour")}, new Slot[] {hour("m@hour", LATER)},
        new long[] {Long.MAX_VALUE}, new long[] {1}, 1, LATER);
  }

  @Test
  void purgesByItselfAfterPurgeEveryOperationsSpreadOverSubjects() {
    countEndedSubjects();
    // 16 subjects in turn, each counting a step every COUNT_STEP of its operations: the last one is the
    // PURGE_EVERY-th and completes the PURGE_EVERY / COUNT_STEP-th step.
    for (int i = 0; i < InMemoryUsageCounter.PURGE_EVERY - 1; i++) {
      assertThat(enforceLater("live" + i % 16)).isTrue();
    }
    assertThat(counter.subjectCount()).isEqualTo(1_016);
    enforceLater("live15");
    assertThat(counter.subjectCount()).as("ended subjects dropped by the automatic purge").isEqualTo(16);
  }

  @Test
  void purgesByItselfEveryPurgeEveryOperationsOnOneSubject() {
    countEndedSubjects();
    // The first operation of the hot subject created it; the purge comes with its PURGE_EVERY-th.
    for (int i = 0; i < InMemoryUsageCounter.PURGE_EVERY - 1; i++) {
      assertThat(enforceLater("hot")).isTrue();
    }
    assertThat(counter.subjectCount()).isEqualTo(1_001);
    enforceLater("hot");
    assertThat(counter.subjectCount()).as("ended subjects dropped by the automatic purge").isEqualTo(1);
    assertThat(used("hot", hour("m@hour", LATER), LATER)).isEqualTo(InMemoryUsageCounter.PURGE_EVERY);
  }

  @Test
  void operationIdsOnOneSubjectStayBoundedByThePurge() {
    Slot slot = hour("m@hour", T0);
    for (int i = 0; i < InMemoryUsageCounter.PURGE_EVERY; i++) {
      long now = T0 + i;
      counter.consume(new ConsumeRequest("u", List.of(new Charge(slot, Long.MAX_VALUE, 1)), Mode.RESERVE,
          "op" + i, now + 10, now));
    }
    // All but the last ten expired unsettled before the automatic purge, which refunded one batch of them.
    assertThat(used(slot, T0 + InMemoryUsageCounter.PURGE_EVERY))
        .isEqualTo(InMemoryUsageCounter.PURGE_EVERY - InMemoryUsageCounter.PURGE_BATCH);
  }

  @Test
  void operationIdsSpreadOverSubjectsStayBoundedByThePurge() {
    Slot slot = hour("m@hour", T0);
    int subjects = 16; // each sees PURGE_EVERY / 16 operations: only the count of ids brings the purge
    for (int i = 0; i < InMemoryUsageCounter.PURGE_EVERY; i++) {
      long now = T0 + i;
      counter.consume(new ConsumeRequest("s" + i % subjects, List.of(new Charge(slot, Long.MAX_VALUE, 1)),
          Mode.RESERVE, "op" + i, now + 10, now));
    }
    long total = 0;
    for (int s = 0; s < subjects; s++) {
      total += used("s" + s, slot, T0 + InMemoryUsageCounter.PURGE_EVERY);
    }
    assertThat(total).as("one batch of expired reservations refunded")
        .isEqualTo(InMemoryUsageCounter.PURGE_EVERY - InMemoryUsageCounter.PURGE_BATCH);
  }

  /** The subject lock under contention: the fast and the general entry racing on one subject. */
  @Test
  void racingOperationsOnOneSubjectNeverOvershootAndLoseNothing() throws Exception {
    int threads = 4;
    int perThread = 20_000;
    long limit = threads * perThread / 2;
    Slot slot = hour("m@race", T0);
    int[] ids = {CounterKeys.id("m@race")};
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Long>> granted = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        boolean fast = t % 2 == 0;
        granted.add(pool.submit(() -> {
          long mine = 0;
          long previous = 0;
          for (int i = 0; i < perThread; i++) {
            long used;
            boolean ok;
            if (fast) {
              long[] amounts = {1};
              ok = counter.enforce("u", null, ids, new Slot[] {slot}, new long[] {limit}, amounts, 1, T0);
              used = amounts[0];
            } else {
              ConsumeResult r = counter.consume(new ConsumeRequest("u", List.of(new Charge(slot, limit, 1)),
                  Mode.ENFORCE, null, 0, T0));
              ok = r.isApplied();
              used = r.used(0);
            }
            assertThat(used).isBetween(previous, limit);
            previous = used;
            mine += ok ? 1 : 0;
          }
          return mine;
        }));
      }
      long total = 0;
      for (Future<Long> f : granted) {
        total += f.get(60, TimeUnit.SECONDS);
      }
      assertThat(total).as("granted exactly up to the limit").isEqualTo(limit);
      assertThat(used(slot, T0)).isEqualTo(limit);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void enforceCountsAllOrNothingAndReportsUsageInPlace() {
    int[] ids = {CounterKeys.id("m@hour"), CounterKeys.id("m@day")};
    Slot[] slots = {hour("m@hour", T0), new Slot("m@day", T0 - 10 * HOUR, T0 + 14 * HOUR, 0)};
    long[] limits = {2, 3};

    long[] first = {2, 2};
    assertThat(counter.enforce("u", null, ids, slots, limits, first, 2, T0)).isTrue();
    assertThat(first).containsExactly(2, 2);
    long[] second = {1, 1};
    assertThat(counter.enforce("u", null, ids, slots, limits, second, 2, T0)).as("the hour is full").isFalse();
    assertThat(second).as("usage as it stands").containsExactly(2, 2);
    long[] onlyDay = {1};
    assertThat(counter.enforce("u", null, new int[] {ids[1]}, new Slot[] {slots[1]}, new long[] {3}, onlyDay, 1, T0))
        .isTrue();
    assertThat(onlyDay).containsExactly(3);
    assertThat(counter.snapshot("u", T0)).extracting(u -> u.key() + "=" + u.used())
        .containsExactlyInAnyOrder("m@hour=2", "m@day=3");
  }

  @Test
  void aResultKeepsCopiesOfTheArraysItWasMadeFrom() {
    long[] used = {1, 2};
    boolean[] fits = {true, false};
    ConsumeResult copied = ConsumeResult.of(ConsumeResult.Status.DENIED, used, fits);
    used[0] = 7;
    fits[1] = true;
    assertThat(copied.used(0)).isEqualTo(1);
    assertThat(copied.fits(1)).isFalse();
    assertThat(copied.status()).isEqualTo(ConsumeResult.Status.DENIED);
  }

  /** Rolling, hourly and daily cells of one subject, more than its first array holds, then a purge. */
  @Test
  void aSubjectWithManyMixedCellsKeepsEachAndPurgesOnlyTheEndedOnes() {
    long now = T0 + 5 * 60_000;
    long day = T0 - 10 * HOUR;
    long bucket = 600_000;
    List<Slot> slots = new java.util.ArrayList<>();
    for (int j = 0; j < 12; j++) {
      slots.add(switch (j % 3) {
        case 0 -> new Slot("r" + j, now - Math.floorMod(now, bucket), now - Math.floorMod(now, bucket) + bucket, 2);
        case 1 -> hour("h" + j, now);
        default -> new Slot("d" + j, day, day + 24 * HOUR, 0);
      });
      counter.consume(new ConsumeRequest("u", List.of(new Charge(slots.get(j), 100, j + 1)), Mode.ENFORCE, null,
          0, now));
    }
    for (int j = 0; j < 12; j++) {
      assertThat(used(slots.get(j), now)).as("cell %s", slots.get(j).key()).isEqualTo(j + 1);
    }
    long later = now + 2 * HOUR;
    // An hourly cell is kept after its hour until no zone's hour can overlap it; the daily ones longer.
    long hourKept = Slot.calendarCellKeptUntil(hour("h1", now).start(), hour("h1", now).end());
    assertThat(counter.purge(hourKept, 100)).as("4 hourly and 4 rolling cells ended").isEqualTo(8);
    assertThat(counter.snapshot("u", later)).extracting(u -> u.key() + "=" + u.used())
        .containsExactlyInAnyOrder("d2=3", "d5=6", "d8=9", "d11=12");
    for (int j = 2; j < 12; j += 3) {
      assertThat(used(slots.get(j), later)).isEqualTo(j + 1);
    }
    assertThat(used(hour("h1", later), later)).isZero();
  }

  long used(Slot slot, long now) {
    return used("u", slot, now);
  }

  long used(String subject, Slot slot, long now) {
    return counter.consume(new ConsumeRequest(subject, List.of(new Charge(slot, 100, 0)), Mode.CHECK, null, 0,
        now)).used(0);
  }
}
