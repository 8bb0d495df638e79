package dev.limits.testkit;

import static dev.limits.testkit.UsageCounterContract.DAY;
import static dev.limits.testkit.UsageCounterContract.HOUR;
import static dev.limits.testkit.UsageCounterContract.MINUTE;
import static dev.limits.testkit.UsageCounterContract.SUBJECT;
import static dev.limits.testkit.UsageCounterContract.T0;
import static dev.limits.testkit.UsageCounterContract.charge;
import static dev.limits.testkit.UsageCounterContract.day;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.limits.LimitPolicy;
import dev.limits.LimitRequest;
import dev.limits.Limiter;
import dev.limits.Metric;
import dev.limits.QuotaUsage;
import dev.limits.Window;
import dev.limits.spi.ConsumeRequest.Mode;
import dev.limits.spi.ConsumeResult.Status;
import dev.limits.spi.SettleResult;
import dev.limits.spi.Slot;
import dev.limits.spi.SlotUsage;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Zone changes: a user who picks another zone never frees usage, and purge keeps a calendar cell while a period
 * of any zone can overlap it.
 */
abstract class ZoneChangeTopic extends ContractTopic {

  ZoneChangeTopic(UsageCounterContract contract) {
    super(contract);
  }

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
}
