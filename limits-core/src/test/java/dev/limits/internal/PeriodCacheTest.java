package dev.limits.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.limits.Metric;
import dev.limits.Quota;
import dev.limits.Window;
import dev.limits.spi.Slot;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link PeriodCache}: periods and frames computed once per boundary and shared. */
class PeriodCacheTest {

  static final Metric TOKENS = Metric.tokens("tokens");
  static final Instant T = Instant.parse("2026-03-02T10:15:00Z");

  final PeriodCache cache = new PeriodCache(List.of(Quota.of(TOKENS, Window.hour(), 1_000)));

  Slot slot(Instant at, ZoneId zone) {
    return cache.period(0, at, zone).slot();
  }

  @Test
  void aNewPeriodOrZoneGetsANewSlot() {
    Slot now = slot(T, ZoneOffset.UTC);
    Slot nextHour = slot(T.plusSeconds(3_600), ZoneOffset.UTC);
    assertThat(nextHour.start()).isEqualTo(now.end());
    Slot tehran = slot(T, ZoneId.of("Asia/Tehran")); // UTC+3:30: its hours start at :30 UTC
    assertThat(tehran.start()).isEqualTo(Instant.parse("2026-03-02T09:30:00Z").toEpochMilli());
    assertThat(slot(T, ZoneOffset.UTC)).isEqualTo(now);
  }

  @Test
  void aFrameServesEveryInstantOfItsPeriodsAndRollsOverAtTheFirstBoundary() {
    PeriodCache two = new PeriodCache(List.of(Quota.of(TOKENS, Window.hour(), 1_000),
        Quota.of(TOKENS, Window.day(), 5_000)));
    Instant hourStart = Instant.parse("2026-03-02T10:00:00Z");
    PeriodCache.Frame frame = two.frame(hourStart, ZoneOffset.UTC);
    assertThat(frame.slot(0).start()).isEqualTo(hourStart.toEpochMilli());
    assertThat(frame.slot(1).start()).isEqualTo(Instant.parse("2026-03-02T00:00:00Z").toEpochMilli());
    assertThat(two.frame(Instant.parse("2026-03-02T10:59:59.999Z"), ZoneOffset.UTC)).isSameAs(frame);

    PeriodCache.Frame next = two.frame(Instant.parse("2026-03-02T11:00:00Z"), ZoneOffset.UTC);
    assertThat(next).isNotSameAs(frame);
    assertThat(next.slot(0).start()).isEqualTo(frame.slot(0).end());
    assertThat(next.slot(1)).as("the day's slot is reused").isSameAs(frame.slot(1));
    assertThat(next.period(0).contains(Instant.parse("2026-03-02T11:30:00Z"))).isTrue();
    assertThat(two.frame(Instant.parse("2026-03-02T09:59:59.999Z"), ZoneOffset.UTC).slot(0).end())
        .as("an earlier instant gets its own frame").isEqualTo(hourStart.toEpochMilli());
    assertThat(two.frame(hourStart, ZoneId.of("Asia/Tehran")).slot(0).start())
        .isEqualTo(Instant.parse("2026-03-02T09:30:00Z").toEpochMilli());
  }

  @Test
  void aFramesChargesOfItsFirstAmountAreSharedAndOtherAmountsGetTheirOwn() {
    PeriodCache.Frame frame = cache.frame(T, ZoneOffset.UTC);
    Charges one = frame.all(1);

    assertThat(frame.all(1)).isSameAs(one);
    Charges many = frame.all(1_200);
    assertThat(many).isNotSameAs(one);
    assertThat(many.amount(0)).isEqualTo(1_200);
    assertThat(many.period(0)).isSameAs(one.period(0));
    assertThat(frame.all(1)).as("the first amount's charges stay").isSameAs(one);
  }
}
