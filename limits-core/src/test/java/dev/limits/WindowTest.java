package dev.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.Month;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Worked examples of window arithmetic, rolling and lifetime windows, ids and argument checks. */
class WindowTest {

  @ParameterizedTest
  @org.junit.jupiter.params.provider.CsvSource({"01h, hour", "1h, hour", "+3h, 3h", "week-mon, week",
      "rolling-PT60M/PT5M, rolling-PT1H/PT5M"})
  void parseAcceptsOnlyCanonicalIdsAndNamesTheCanonicalForm(String loose, String canonical) {
    assertThatThrownBy(() -> Window.parse(loose)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + loose + "'").hasMessageContaining("did you mean '" + canonical + "'");
    assertThat(Window.parse(canonical).id()).isEqualTo(canonical);
  }


  static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
  static final ZoneId SANTIAGO = ZoneId.of("America/Santiago");
  static final ZoneId TEHRAN = ZoneId.of("Asia/Tehran");
  static final ZoneId APIA = ZoneId.of("Pacific/Apia");
  static final ZoneId KATHMANDU = ZoneId.of("Asia/Kathmandu");
  static final ZoneId CAIRO = ZoneId.of("Africa/Cairo");
  static final ZoneId TROLL = ZoneId.of("Antarctica/Troll");
  static final ZoneId ST_JOHNS = ZoneId.of("America/St_Johns");
  static final ZoneId UTC = ZoneOffset.UTC;

  static Instant at(String instant) {
    return Instant.parse(instant);
  }

  static Period period(String start, String end) {
    return new Period(Instant.parse(start), Instant.parse(end));
  }

  static Duration length(Period p) {
    return Duration.between(p.start(), p.end());
  }

  static Instant local(String localDateTime, ZoneId zone) {
    return LocalDateTime.parse(localDateTime).atZone(zone).toInstant();
  }

  /** Every window kind, for ids, round trips and null checks. */
  static List<Window> allWindows() {
    List<Window> windows = new ArrayList<>(List.of(Window.hour(), Window.hours(2), Window.hours(3),
        Window.hours(4), Window.hours(6), Window.hours(8), Window.hours(12), Window.day(), Window.week(),
        Window.month(), Window.year(), Window.lifetime(), Window.rolling(Duration.ofHours(1)),
        Window.rolling(Duration.ofDays(1)), Window.rolling(Duration.ofSeconds(7)),
        Window.rolling(Duration.ofMillis(1001)), Window.rolling(Duration.ofMinutes(1), Duration.ofSeconds(1)),
        Window.rolling(Duration.ofDays(366)), Window.rolling(Duration.ofMillis(5), Duration.ofMillis(1))));
    for (DayOfWeek d : DayOfWeek.values()) {
      if (d != DayOfWeek.MONDAY) {
        windows.add(Window.week(d));
      }
    }
    return windows;
  }

  @Nested
  class DaylightSavingTime {

    @Test
    void berlinHasA23HourDayInSpringAndA25HourDayInAutumn() {
      assertThat(Window.day().periodAt(at("2024-03-31T12:00:00Z"), BERLIN))
          .isEqualTo(period("2024-03-30T23:00:00Z", "2024-03-31T22:00:00Z"));
      assertThat(Window.day().periodAt(at("2024-10-27T12:00:00Z"), BERLIN))
          .isEqualTo(period("2024-10-26T22:00:00Z", "2024-10-27T23:00:00Z"));
      assertThat(length(Window.day().periodAt(at("2024-03-31T12:00:00Z"), BERLIN))).hasHours(23);
      assertThat(length(Window.day().periodAt(at("2024-10-27T12:00:00Z"), BERLIN))).hasHours(25);
      assertThat(length(Window.day().periodAt(at("2024-10-28T12:00:00Z"), BERLIN))).hasHours(24);
    }

    @Test
    void berlinHoursAroundTheClockChanges() {
      // Spring: 02:00 CET becomes 03:00 CEST; local 01:00 ends when the clock shows 03:00.
      assertThat(Window.hour().periodAt(at("2024-03-31T00:59:59.999Z"), BERLIN))
          .isEqualTo(period("2024-03-31T00:00:00Z", "2024-03-31T01:00:00Z"));
      assertThat(Window.hour().periodAt(at("2024-03-31T01:00:00Z"), BERLIN))
          .isEqualTo(period("2024-03-31T01:00:00Z", "2024-03-31T02:00:00Z"));
      // Autumn: 03:00 CEST becomes 02:00 CET; both local 02:xx hours form one two-hour period.
      Period repeated = period("2024-10-27T00:00:00Z", "2024-10-27T02:00:00Z");
      assertThat(Window.hour().periodAt(at("2024-10-27T00:00:00Z"), BERLIN)).isEqualTo(repeated);
      assertThat(Window.hour().periodAt(at("2024-10-27T01:30:00Z"), BERLIN)).isEqualTo(repeated);
      assertThat(Window.hour().periodAt(at("2024-10-27T02:00:00Z"), BERLIN))
          .isEqualTo(period("2024-10-27T02:00:00Z", "2024-10-27T03:00:00Z"));
    }

    @Test
    void threeAndTwelveHourBlocksOnBerlinClockChangeDays() {
      assertThat(Window.hours(3).periodAt(at("2024-03-31T00:30:00Z"), BERLIN))
          .isEqualTo(period("2024-03-30T23:00:00Z", "2024-03-31T01:00:00Z"));
      assertThat(Window.hours(3).periodAt(at("2024-03-31T01:30:00Z"), BERLIN))
          .isEqualTo(period("2024-03-31T01:00:00Z", "2024-03-31T04:00:00Z"));
      assertThat(Window.hours(3).periodAt(at("2024-10-27T01:59:00Z"), BERLIN))
          .isEqualTo(period("2024-10-26T22:00:00Z", "2024-10-27T02:00:00Z"));
      assertThat(Window.hours(12).periodAt(at("2024-10-27T05:00:00Z"), BERLIN))
          .isEqualTo(period("2024-10-26T22:00:00Z", "2024-10-27T11:00:00Z"));
      assertThat(Window.hours(12).periodAt(at("2024-10-27T11:00:00Z"), BERLIN))
          .isEqualTo(period("2024-10-27T11:00:00Z", "2024-10-27T23:00:00Z"));
    }

    @Test
    void santiagoDayStartsAtOneWhenSummerTimeStartsAtMidnight() {
      // 2024-09-08 00:00 -04:00 became 01:00 -03:00: the day starts when the clock shows 01:00.
      Period day = Window.day().periodAt(at("2024-09-08T12:00:00Z"), SANTIAGO);
      assertThat(day).isEqualTo(period("2024-09-08T04:00:00Z", "2024-09-09T03:00:00Z"));
      assertThat(day.start().atZone(SANTIAGO).toLocalDateTime()).isEqualTo("2024-09-08T01:00");
      assertThat(Window.day().periodAt(at("2024-09-08T03:59:59.999Z"), SANTIAGO))
          .isEqualTo(period("2024-09-07T04:00:00Z", "2024-09-08T04:00:00Z"));
      // The hour 00:00 never happens that night; hour 01:00 starts at the jump.
      assertThat(Window.hour().periodAt(at("2024-09-08T04:00:00Z"), SANTIAGO))
          .isEqualTo(period("2024-09-08T04:00:00Z", "2024-09-08T05:00:00Z"));
      // The week starting Sunday starts at 01:00 that Sunday too.
      assertThat(Window.week(DayOfWeek.SUNDAY).periodAt(at("2024-09-10T12:00:00Z"), SANTIAGO).start())
          .isEqualTo(at("2024-09-08T04:00:00Z"));
    }

    @Test
    void santiagoDayBeforeSummerTimeEndsAtMidnightLasts25Hours() {
      // 2024-04-07 00:00 -03:00 went back to 2024-04-06 23:00 -04:00.
      Period saturday = period("2024-04-06T03:00:00Z", "2024-04-07T04:00:00Z");
      assertThat(Window.day().periodAt(at("2024-04-07T02:30:00Z"), SANTIAGO)).isEqualTo(saturday);
      assertThat(Window.day().periodAt(at("2024-04-07T03:30:00Z"), SANTIAGO)).isEqualTo(saturday);
      assertThat(Window.day().periodAt(at("2024-04-07T04:00:00Z"), SANTIAGO).start())
          .isEqualTo(at("2024-04-07T04:00:00Z"));
      // The Sunday week starts when the clock first shows Sunday 00:00, after the repeated hour.
      assertThat(Window.week(DayOfWeek.SUNDAY).periodAt(at("2024-04-07T03:30:00Z"), SANTIAGO).end())
          .isEqualTo(at("2024-04-07T04:00:00Z"));
    }

    @Test
    void tehranDayWhenTheClockJumpedFromMidnightToOne() {
      Period day = Window.day().periodAt(at("2021-03-22T06:00:00Z"), TEHRAN);
      assertThat(day).isEqualTo(period("2021-03-21T20:30:00Z", "2021-03-22T19:30:00Z"));
      assertThat(day.start().atZone(TEHRAN).toLocalDateTime()).isEqualTo("2021-03-22T01:00");
      assertThat(length(day)).hasHours(23);
      // And back in September: 2021-09-22 00:00 +04:30 became 2021-09-21 23:00 +03:30.
      Period long21st = Window.day().periodAt(at("2021-09-21T20:00:00Z"), TEHRAN);
      assertThat(long21st).isEqualTo(period("2021-09-20T19:30:00Z", "2021-09-21T20:30:00Z"));
      assertThat(length(long21st)).hasHours(25);
    }

    @Test
    void clocksGoingBackAcrossAnHourBoundary() {
      // Troll, 2005-10-30 03:00 +02:00 became 01:00 +00:00: hour 02:00 starts at the first 02:00 and
      // holds the repeated 01:xx and 02:xx until the clock first shows 03:00.
      Period hour = period("2005-10-30T00:00:00Z", "2005-10-30T03:00:00Z");
      assertThat(Window.hour().periodAt(at("2005-10-30T00:00:00Z"), TROLL)).isEqualTo(hour);
      assertThat(Window.hour().periodAt(at("2005-10-30T01:30:00Z"), TROLL)).isEqualTo(hour);
      assertThat(Window.hour().periodAt(at("2005-10-30T02:59:59.999Z"), TROLL)).isEqualTo(hour);
      // St. John's, 1995-10-29 00:01 -02:30 became 1995-10-28 23:01 -03:30: the new day had begun.
      Period sunday = Window.day().periodAt(at("1995-10-29T02:45:00Z"), ST_JOHNS);
      assertThat(sunday.start()).isEqualTo(at("1995-10-29T02:30:00Z"));
      assertThat(Window.day().periodAt(at("1995-10-29T02:29:59.999Z"), ST_JOHNS).end())
          .isEqualTo(at("1995-10-29T02:30:00Z"));
    }

    @Test
    void cairoMonthEndsAfterTheRepeatedHourOfOctober31st() {
      // 2024-11-01 00:00 +03:00 went back to 2024-10-31 23:00 +02:00.
      Period october = period("2024-09-30T21:00:00Z", "2024-10-31T22:00:00Z");
      assertThat(Window.month().periodAt(at("2024-10-31T20:30:00Z"), CAIRO)).isEqualTo(october);
      assertThat(Window.month().periodAt(at("2024-10-31T21:30:00Z"), CAIRO)).isEqualTo(october);
      assertThat(Window.month().periodAt(at("2024-10-31T22:00:00Z"), CAIRO).start())
          .isEqualTo(at("2024-10-31T22:00:00Z"));
    }

    @Test
    void apiaSkippedDecember30th2011() {
      Period dec29 = Window.day().periodAt(at("2011-12-30T09:59:59.999Z"), APIA);
      assertThat(dec29).isEqualTo(period("2011-12-29T10:00:00Z", "2011-12-30T10:00:00Z"));
      Period dec31 = Window.day().periodAt(at("2011-12-30T10:00:00Z"), APIA);
      assertThat(dec31).isEqualTo(period("2011-12-30T10:00:00Z", "2011-12-31T10:00:00Z"));
      assertThat(dec31.start().atZone(APIA).toLocalDate()).isEqualTo("2011-12-31");
      Period december = Window.month().periodAt(at("2011-12-15T00:00:00Z"), APIA);
      assertThat(december).isEqualTo(period("2011-12-01T10:00:00Z", "2011-12-31T10:00:00Z"));
      assertThat(length(december)).hasDays(30);
    }
  }

  @Nested
  class Calendar {

    @Test
    void hourBlocksAlignToLocalMidnight() {
      Instant t = at("2024-05-05T10:30:00Z");
      assertThat(Window.hour().periodAt(t, UTC)).isEqualTo(period("2024-05-05T10:00:00Z", "2024-05-05T11:00:00Z"));
      assertThat(Window.hours(2).periodAt(t, UTC)).isEqualTo(period("2024-05-05T10:00:00Z", "2024-05-05T12:00:00Z"));
      assertThat(Window.hours(3).periodAt(t, UTC)).isEqualTo(period("2024-05-05T09:00:00Z", "2024-05-05T12:00:00Z"));
      assertThat(Window.hours(4).periodAt(t, UTC)).isEqualTo(period("2024-05-05T08:00:00Z", "2024-05-05T12:00:00Z"));
      assertThat(Window.hours(6).periodAt(t, UTC)).isEqualTo(period("2024-05-05T06:00:00Z", "2024-05-05T12:00:00Z"));
      assertThat(Window.hours(8).periodAt(t, UTC)).isEqualTo(period("2024-05-05T08:00:00Z", "2024-05-05T16:00:00Z"));
      assertThat(Window.hours(12).periodAt(t, UTC)).isEqualTo(period("2024-05-05T00:00:00Z", "2024-05-05T12:00:00Z"));
      assertThat(Window.hours(12).periodAt(at("2024-05-05T12:00:00Z"), UTC))
          .isEqualTo(period("2024-05-05T12:00:00Z", "2024-05-06T00:00:00Z"));
      // Kathmandu is +05:45: 00:00Z is 05:45 local, in the 03:00-06:00 block.
      assertThat(Window.hours(3).periodAt(at("2024-05-05T00:00:00Z"), KATHMANDU))
          .isEqualTo(period("2024-05-04T21:15:00Z", "2024-05-05T00:15:00Z"));
      assertThat(Window.hour().periodAt(at("2024-05-05T00:00:00Z"), KATHMANDU))
          .isEqualTo(period("2024-05-04T23:15:00Z", "2024-05-05T00:15:00Z"));
    }

    @Test
    void dayFollowsTheZone() {
      Instant t = at("2024-05-05T23:30:00Z");
      assertThat(Window.day().periodAt(t, UTC)).isEqualTo(period("2024-05-05T00:00:00Z", "2024-05-06T00:00:00Z"));
      assertThat(Window.day().periodAt(t, BERLIN)).isEqualTo(period("2024-05-05T22:00:00Z", "2024-05-06T22:00:00Z"));
      assertThat(Window.day().periodAt(t, ZoneId.of("America/New_York")))
          .isEqualTo(period("2024-05-05T04:00:00Z", "2024-05-06T04:00:00Z"));
    }

    @Test
    void weeksStartOnTheirFirstDay() {
      Instant wednesday = at("2024-05-15T12:00:00Z");
      assertThat(Window.week().periodAt(wednesday, UTC))
          .isEqualTo(period("2024-05-13T00:00:00Z", "2024-05-20T00:00:00Z"));
      assertThat(Window.week(DayOfWeek.MONDAY).periodAt(wednesday, UTC))
          .isEqualTo(period("2024-05-13T00:00:00Z", "2024-05-20T00:00:00Z"));
      assertThat(Window.week(DayOfWeek.SATURDAY).periodAt(wednesday, UTC))
          .isEqualTo(period("2024-05-11T00:00:00Z", "2024-05-18T00:00:00Z"));
      assertThat(Window.week(DayOfWeek.SUNDAY).periodAt(wednesday, UTC))
          .isEqualTo(period("2024-05-12T00:00:00Z", "2024-05-19T00:00:00Z"));
      // On the first day itself, and on the last millisecond before it.
      assertThat(Window.week(DayOfWeek.SATURDAY).periodAt(at("2024-05-18T00:00:00Z"), UTC).start())
          .isEqualTo(at("2024-05-18T00:00:00Z"));
      assertThat(Window.week(DayOfWeek.SATURDAY).periodAt(at("2024-05-17T23:59:59.999Z"), UTC).end())
          .isEqualTo(at("2024-05-18T00:00:00Z"));
      assertThat(Window.week().periodAt(at("2024-05-19T23:59:59.999Z"), UTC).end())
          .isEqualTo(at("2024-05-20T00:00:00Z"));
      // Across a year boundary, and in Tehran where the week starts on Saturday.
      assertThat(Window.week().periodAt(at("2024-12-31T12:00:00Z"), UTC))
          .isEqualTo(period("2024-12-30T00:00:00Z", "2025-01-06T00:00:00Z"));
      assertThat(Window.week(DayOfWeek.SATURDAY).periodAt(at("2024-05-15T12:00:00Z"), TEHRAN))
          .isEqualTo(period("2024-05-10T20:30:00Z", "2024-05-17T20:30:00Z"));
    }

    @Test
    void februaryInLeapAndCommonYears() {
      assertThat(Window.month().periodAt(at("2024-02-10T00:00:00Z"), UTC))
          .isEqualTo(period("2024-02-01T00:00:00Z", "2024-03-01T00:00:00Z"));
      assertThat(Window.month().periodAt(at("2023-02-10T00:00:00Z"), UTC))
          .isEqualTo(period("2023-02-01T00:00:00Z", "2023-03-01T00:00:00Z"));
      assertThat(length(Window.month().periodAt(at("2024-02-29T23:59:59.999Z"), UTC))).hasDays(29);
      assertThat(length(Window.month().periodAt(at("2023-02-28T23:59:59.999Z"), UTC))).hasDays(28);
      assertThat(length(Window.month().periodAt(at("2000-02-15T00:00:00Z"), UTC))).hasDays(29);
      assertThat(length(Window.month().periodAt(at("2100-02-15T00:00:00Z"), UTC))).hasDays(28);
      assertThat(length(Window.month().periodAt(at("2023-04-15T00:00:00Z"), UTC))).hasDays(30);
      assertThat(length(Window.month().periodAt(at("2023-12-15T00:00:00Z"), UTC))).hasDays(31);
      // A 31-day month ending on a clock change in Berlin: March 2024 is 31 days less an hour.
      assertThat(length(Window.month().periodAt(at("2024-03-15T00:00:00Z"), BERLIN)))
          .isEqualTo(Duration.ofDays(31).minusHours(1));
    }

    @Test
    void yearsStartOnJanuaryFirstLocally() {
      assertThat(Window.year().periodAt(at("2024-07-01T00:00:00Z"), UTC))
          .isEqualTo(period("2024-01-01T00:00:00Z", "2025-01-01T00:00:00Z"));
      assertThat(length(Window.year().periodAt(at("2024-07-01T00:00:00Z"), UTC))).hasDays(366);
      assertThat(length(Window.year().periodAt(at("2023-07-01T00:00:00Z"), UTC))).hasDays(365);
      assertThat(Window.year().periodAt(at("2023-12-31T23:30:00Z"), BERLIN))
          .isEqualTo(period("2023-12-31T23:00:00Z", "2024-12-31T23:00:00Z"));
      assertThat(Window.year().periodAt(at("2023-12-31T22:59:59.999Z"), BERLIN).end())
          .isEqualTo(at("2023-12-31T23:00:00Z"));
      Instant lastMilli = local("2024-12-31T23:59:59.999", KATHMANDU);
      assertThat(Window.year().periodAt(lastMilli, KATHMANDU).end()).isEqualTo(lastMilli.plusMillis(1));
      assertThat(Window.year().periodAt(lastMilli.plusMillis(1), KATHMANDU).start())
          .isEqualTo(lastMilli.plusMillis(1));
    }

    @Test
    void theSameMonthInDifferentYearsIsADifferentPeriod() {
      for (Month month : Month.values()) {
        Instant in2023 = LocalDate.of(2023, month, 10).atTime(LocalTime.NOON).atZone(BERLIN).toInstant();
        Instant in2024 = LocalDate.of(2024, month, 10).atTime(LocalTime.NOON).atZone(BERLIN).toInstant();
        Period p2023 = Window.month().periodAt(in2023, BERLIN);
        Period p2024 = Window.month().periodAt(in2024, BERLIN);
        assertThat(p2023).isNotEqualTo(p2024);
        assertThat(p2023.contains(in2024)).isFalse();
        assertThat(p2024.contains(in2023)).isFalse();
        assertThat(p2023.start().atZone(BERLIN).toLocalDate()).isEqualTo(LocalDate.of(2023, month, 1));
        assertThat(p2024.start().atZone(BERLIN).toLocalDate()).isEqualTo(LocalDate.of(2024, month, 1));
      }
      // Same for the other calendar windows a year apart.
      for (Window w : List.of(Window.hour(), Window.hours(6), Window.day(), Window.week(), Window.year())) {
        assertThat(w.periodAt(at("2023-03-15T10:00:00Z"), BERLIN))
            .isNotEqualTo(w.periodAt(at("2024-03-15T10:00:00Z"), BERLIN));
      }
    }

    @Test
    void calendarWindowsHaveNoLookbackAndIgnoreFirstDayUnlessWeekly() {
      for (Window w : List.of(Window.hour(), Window.hours(3), Window.day(), Window.week(DayOfWeek.FRIDAY),
          Window.month(), Window.year())) {
        assertThat(w.lookback()).isZero();
      }
      assertThat(new Window.Calendar(Window.Calendar.Unit.DAYS, 1, DayOfWeek.FRIDAY)).isEqualTo(Window.day());
      assertThat(new Window.Calendar(Window.Calendar.Unit.HOURS, 1, DayOfWeek.SUNDAY)).isEqualTo(Window.hour());
      assertThat(Window.hours(1)).isEqualTo(Window.hour());
      assertThat(Window.week(DayOfWeek.MONDAY)).isEqualTo(Window.week());
      assertThat(Window.week(DayOfWeek.SUNDAY)).isNotEqualTo(Window.week());
    }
  }

  @Nested
  class Rolling {

    @Test
    void defaultGranularityIsATwelfthWhereThatDivides() {
      assertRolling(Window.rolling(Duration.ofHours(1)), Duration.ofHours(1), Duration.ofMinutes(5), 12);
      assertRolling(Window.rolling(Duration.ofMinutes(1)), Duration.ofMinutes(1), Duration.ofSeconds(5), 12);
      assertRolling(Window.rolling(Duration.ofDays(1)), Duration.ofDays(1), Duration.ofHours(2), 12);
      assertRolling(Window.rolling(Duration.ofDays(366)), Duration.ofDays(366), Duration.ofHours(732), 12);
      // Otherwise the largest number of buckets up to 12 that divides the length in milliseconds.
      assertRolling(Window.rolling(Duration.ofSeconds(1)), Duration.ofSeconds(1), Duration.ofMillis(100), 10);
      assertRolling(Window.rolling(Duration.ofSeconds(7)), Duration.ofSeconds(7), Duration.ofMillis(700), 10);
      assertRolling(Window.rolling(Duration.ofMillis(1001)), Duration.ofMillis(1001), Duration.ofMillis(91), 11);
      assertRolling(Window.rolling(Duration.ofMillis(1009)), Duration.ofMillis(1009), Duration.ofMillis(1009), 1);
    }

    private void assertRolling(Window w, Duration length, Duration granularity, int lookback) {
      assertThat(w).isEqualTo(new Window.Rolling(length, granularity));
      assertThat(w.lookback()).isEqualTo(lookback);
    }

    @Test
    void explicitGranularity() {
      Window w = Window.rolling(Duration.ofHours(1), Duration.ofMinutes(1));
      assertThat(w.lookback()).isEqualTo(60);
      assertThat(w.id()).isEqualTo("rolling-PT1H/PT1M");
      assertThat(Window.rolling(Duration.ofHours(1), Duration.ofHours(1)).lookback()).isEqualTo(1);
      assertThat(Window.rolling(Duration.ofHours(1), Duration.ofSeconds(30)).lookback())
          .isEqualTo(Window.Rolling.MAX_BUCKETS);
      assertThat(Window.rolling(Duration.ofMillis(3), Duration.ofMillis(1)).lookback()).isEqualTo(3);
    }

    @Test
    void bucketsAlignToTheEpochWhateverTheZone() {
      Window w = Window.rolling(Duration.ofHours(1));
      Period bucket = period("2024-05-05T10:05:00Z", "2024-05-05T10:10:00Z");
      assertThat(w.periodAt(at("2024-05-05T10:07:30Z"), UTC)).isEqualTo(bucket);
      assertThat(w.periodAt(at("2024-05-05T10:07:30Z"), KATHMANDU)).isEqualTo(bucket);
      assertThat(w.periodAt(at("2024-05-05T10:05:00Z"), BERLIN)).isEqualTo(bucket);
      assertThat(w.periodAt(at("2024-05-05T10:09:59.999Z"), BERLIN)).isEqualTo(bucket);
      assertThat(w.periodAt(at("1969-12-31T23:58:00Z"), UTC))
          .isEqualTo(period("1969-12-31T23:55:00Z", "1970-01-01T00:00:00Z"));
      // DST does not stretch buckets.
      assertThat(length(Window.rolling(Duration.ofDays(1)).periodAt(at("2024-10-27T01:00:00Z"), BERLIN)))
          .hasHours(2);
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 999, -1000, -3_600_000})
    void rejectsLengthsUnderOneSecond(long millis) {
      Duration length = Duration.ofMillis(millis);
      assertThatThrownBy(() -> Window.rolling(length))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(length.toString());
    }

    @Test
    void rejectsLengthsOverAYear() {
      for (Duration length : List.of(Duration.ofDays(367), Duration.ofDays(10_000), Duration.ofDays(10_000_000),
          Duration.ofSeconds(Long.MAX_VALUE))) {
        assertThatThrownBy(() -> Window.rolling(length))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(length.toString());
        assertThatThrownBy(() -> Window.rolling(length, Duration.ofDays(1)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(length.toString());
      }
    }

    @Test
    void rejectsBadGranularities() {
      Duration hour = Duration.ofHours(1);
      for (Duration g : List.of(Duration.ofMinutes(7), Duration.ZERO, Duration.ofMinutes(-5),
          Duration.ofSeconds(10), Duration.ofNanos(500_000), Duration.ofNanos(1_000_500))) {
        assertThatThrownBy(() -> Window.rolling(hour, g))
            .as("granularity %s", g)
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(g.toString());
      }
      // A granularity longer than the window: the message names the window length.
      for (Duration g : List.of(Duration.ofHours(2), Duration.ofDays(100_000_000),
          Duration.ofSeconds(Long.MAX_VALUE))) {
        assertThatThrownBy(() -> Window.rolling(hour, g))
            .as("granularity %s", g)
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT1H");
      }
      assertThatThrownBy(() -> Window.rolling(Duration.ofMinutes(121), Duration.ofMinutes(1)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("120");
      assertThat(Window.rolling(Duration.ofMinutes(120), Duration.ofMinutes(1)).lookback()).isEqualTo(120);
    }
  }

  @Nested
  class Lifetime {

    @Test
    void neverResets() {
      Window w = Window.lifetime();
      Period forever = new Period(Instant.EPOCH, Instant.MAX);
      for (String t : List.of("1995-01-01T00:00:00Z", "2024-02-29T12:00:00Z", "2040-12-31T23:59:59.999Z")) {
        Period p = w.periodAt(at(t), TEHRAN);
        assertThat(p).isEqualTo(forever);
        assertThat(p.contains(at(t))).isTrue();
        assertThat(p.isEndless()).isTrue();
        assertThat(p.resetsAt()).isEmpty();
      }
      assertThat(w.lookback()).isZero();
      assertThat(w.id()).isEqualTo("lifetime");
      assertThat(Window.day().periodAt(at("2024-02-29T12:00:00Z"), UTC).resetsAt())
          .contains(at("2024-03-01T00:00:00Z"));
    }
  }

  @Nested
  class IdsAndParsing {

    @Test
    void idsAreStable() {
      assertThat(Window.hour().id()).isEqualTo("hour");
      assertThat(Window.hours(3).id()).isEqualTo("3h");
      assertThat(Window.hours(12).id()).isEqualTo("12h");
      assertThat(Window.day().id()).isEqualTo("day");
      assertThat(Window.week().id()).isEqualTo("week");
      assertThat(Window.week(DayOfWeek.SATURDAY).id()).isEqualTo("week-sat");
      assertThat(Window.week(DayOfWeek.SUNDAY).id()).isEqualTo("week-sun");
      assertThat(Window.month().id()).isEqualTo("month");
      assertThat(Window.year().id()).isEqualTo("year");
      assertThat(Window.lifetime().id()).isEqualTo("lifetime");
      assertThat(Window.rolling(Duration.ofHours(1)).id()).isEqualTo("rolling-PT1H/PT5M");
    }

    @Test
    void everyWindowParsesBackFromItsId() {
      Set<String> ids = new HashSet<>();
      for (Window w : allWindows()) {
        assertThat(Window.parse(w.id())).as(w.id()).isEqualTo(w);
        assertThat(Window.parse(w.id()).id()).isEqualTo(w.id());
        assertThat(ids.add(w.id())).as("id %s is unique", w.id()).isTrue();
      }
      assertThat(ids).hasSize(25);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "hours", "Hour", "DAY", "day ", "days", "weekly", "week-", "week-foo",
        "week-Mon", "week-monday", "month-jan", "lifetime2", "h", "5h", "24h", "0h", "-3h", "1d", "100h", "xh",
        "rolling", "rolling-", "rolling-PT1H", "rolling-PT1H/", "rolling-/PT5M", "rolling-PT1H/PT7M",
        "rolling-PT1H/PT5M/PT1M", "rolling-one/hour", "rolling-PT1H/-PT5M", "rolling-PT1S/PT0.0001S",
        "rolling-PT9000H/PT1H", "rolling-PT1H/PT999999999999H"})
    void unknownIdsAreRejectedByName(String id) {
      assertThatThrownBy(() -> Window.parse(id))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'" + id + "'");
    }
  }

  @Nested
  class BadArguments {

    @ParameterizedTest
    @ValueSource(ints = {5, 7, 24, 0, -3, 25, 48, Integer.MIN_VALUE})
    void hourBlocksMustDivideADay(int n) {
      assertThatThrownBy(() -> Window.hours(n))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("got " + n);
    }

    @Test
    void otherCalendarUnitsSpanOneUnit() {
      assertThatThrownBy(() -> new Window.Calendar(Window.Calendar.Unit.DAYS, 2, DayOfWeek.MONDAY))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 2");
      assertThatThrownBy(() -> new Window.Calendar(Window.Calendar.Unit.MONTHS, 0, DayOfWeek.MONDAY))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 0");
    }

    @Test
    void nullArgumentsAreNamed() {
      assertThatNullPointerException().isThrownBy(() -> Window.week(null)).withMessage("firstDay");
      assertThatNullPointerException().isThrownBy(() -> Window.rolling(null)).withMessage("length");
      assertThatNullPointerException().isThrownBy(() -> Window.rolling(null, Duration.ofMinutes(1)))
          .withMessage("length");
      assertThatNullPointerException().isThrownBy(() -> Window.rolling(Duration.ofHours(1), null))
          .withMessage("granularity");
      assertThatNullPointerException().isThrownBy(() -> Window.parse(null)).withMessage("id");
      assertThatNullPointerException()
          .isThrownBy(() -> new Window.Calendar(null, 1, DayOfWeek.MONDAY)).withMessage("unit");
      assertThatNullPointerException()
          .isThrownBy(() -> new Window.Calendar(Window.Calendar.Unit.WEEKS, 1, null)).withMessage("firstDay");
      for (Window w : allWindows()) {
        assertThatNullPointerException().as(w.id()).isThrownBy(() -> w.periodAt(null, UTC)).withMessage("instant");
        assertThatNullPointerException().as(w.id()).isThrownBy(() -> w.periodAt(Instant.EPOCH, null))
            .withMessage("zone");
      }
      PeriodClock clock = PeriodClock.of(Clock.fixed(Instant.EPOCH, UTC));
      assertThatNullPointerException().isThrownBy(() -> PeriodClock.of(null)).withMessage("clock");
      assertThatNullPointerException().isThrownBy(() -> clock.periodOf(null, UTC)).withMessage("window");
      assertThatNullPointerException().isThrownBy(() -> clock.periodOf(Window.day(), null)).withMessage("zone");
    }
  }

  @Nested
  class Clocks {

    @Test
    void periodOfUsesTheClocksInstant() {
      Instant t = at("2024-10-27T01:30:00Z");
      PeriodClock clock = PeriodClock.of(Clock.fixed(t, ZoneId.of("Asia/Tokyo")));
      assertThat(clock.instant()).isEqualTo(t);
      assertThat(clock.periodOf(Window.hour(), BERLIN)).isEqualTo(Window.hour().periodAt(t, BERLIN));
      assertThat(clock.periodOf(Window.day(), BERLIN))
          .isEqualTo(period("2024-10-26T22:00:00Z", "2024-10-27T23:00:00Z"));
    }

    @Test
    void systemClockReadsTheCurrentTime() {
      Instant before = Instant.now();
      Instant read = PeriodClock.system().instant();
      assertThat(read).isBetween(before, Instant.now());
    }

    @Test
    void periodsAreHalfOpen() {
      Period p = period("2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z");
      assertThat(p.contains(p.start())).isTrue();
      assertThat(p.contains(p.end())).isFalse();
      assertThat(p.contains(p.start().minusMillis(1))).isFalse();
      assertThatThrownBy(() -> new Period(p.end(), p.start())).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> new Period(p.start(), p.start())).isInstanceOf(IllegalArgumentException.class);
    }
  }
}
