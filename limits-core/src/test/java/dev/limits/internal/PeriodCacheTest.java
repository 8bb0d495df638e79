package dev.limits.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.limits.Metric;
import dev.limits.Quota;
import dev.limits.Window;
import dev.limits.spi.Charge;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The charge reuse of {@link PeriodCache#charge}: shared only when it is the very same charge. */
class PeriodCacheTest {

  static final Metric TOKENS = Metric.tokens("tokens");
  static final Instant T = Instant.parse("2026-03-02T10:15:00Z");

  final PeriodCache cache = new PeriodCache(List.of(Quota.of(TOKENS, Window.hour(), 1_000)));

  Charge charge(Instant at, ZoneId zone, long amount) {
    return cache.charge(0, cache.period(0, at, zone).slot(), 1_000, amount);
  }

  /** The warning levels answer exactly as the rule {@code used >= threshold * limit} in doubles. */
  @Test
  void warningLevelsAreTheLeastUsageTheDoubleRuleWarnsAt() {
    java.util.Random random = new java.util.Random(42);
    double[] thresholds = {0.8, 0.1, 1.0, 0.333, 0.9999999, Double.MIN_VALUE};
    for (int t = 0; t < 20_000; t++) {
      double threshold = t < thresholds.length ? thresholds[t] : random.nextDouble() + Double.MIN_VALUE;
      long limit = switch (t % 4) {
        case 0 -> 1 + random.nextInt(1_000);
        case 1 -> 1 + (random.nextLong() >>> 1) % (1L << 53);
        case 2 -> Long.MAX_VALUE - random.nextInt(100_000);
        default -> (random.nextLong() >>> 1) | 1;
      };
      long level = PeriodCache.leastReaching(threshold * limit);
      assertThat((double) level >= threshold * limit).as("%s x %s warns at %s", threshold, limit, level).isTrue();
      if (level > 0) {
        assertThat((double) (level - 1) >= threshold * limit).as("%s x %s not below %s", threshold, limit, level)
            .isFalse();
      }
    }
    PeriodCache two = new PeriodCache(List.of(Quota.of(TOKENS, Window.hour(), 10), Quota.of(TOKENS, Window.day(),
        0)));
    assertThat(two.warningLevels(0.8)).containsExactly(8, Long.MAX_VALUE);
    assertThat(two.warningLevels(0.5)).containsExactly(5, Long.MAX_VALUE);
    assertThat(two.warningLevels(0.5)).isSameAs(two.warningLevels(0.5));
  }

  @Test
  void reusesTheChargeOfARepeatedAmountInOnePeriod() {
    Charge first = charge(T, ZoneOffset.UTC, 1);
    assertThat(charge(T.plusSeconds(60), ZoneOffset.UTC, 1)).isSameAs(first);
  }

  @Test
  void otherAmountsGetTheirOwnChargeAndLeaveTheCachedOne() {
    Charge one = charge(T, ZoneOffset.UTC, 1);
    Charge many = charge(T, ZoneOffset.UTC, 1_200);
    assertThat(many.amount()).isEqualTo(1_200);
    assertThat(many.slot()).isSameAs(one.slot());
    assertThat(charge(T, ZoneOffset.UTC, 1)).isSameAs(one);
  }

  @Test
  void aNewPeriodOrZoneGetsANewSlot() {
    Charge now = charge(T, ZoneOffset.UTC, 1);
    Charge nextHour = charge(T.plusSeconds(3_600), ZoneOffset.UTC, 1);
    assertThat(nextHour.slot().start()).isEqualTo(now.slot().end());
    Charge tehran = charge(T, ZoneId.of("Asia/Tehran"), 1); // UTC+3:30: its hours start at :30 UTC
    assertThat(tehran.slot().start()).isEqualTo(Instant.parse("2026-03-02T09:30:00Z").toEpochMilli());
    assertThat(charge(T, ZoneOffset.UTC, 1).slot().start()).isEqualTo(now.slot().start());
  }

  @Test
  void aDifferentLimitIsNotServedFromTheCache() {
    Charge first = charge(T, ZoneOffset.UTC, 1);
    Charge other = cache.charge(0, cache.period(0, T, ZoneOffset.UTC).slot(), 5, 1);
    assertThat(other.limit()).isEqualTo(5);
    assertThat(first.limit()).isEqualTo(1_000);
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
}
