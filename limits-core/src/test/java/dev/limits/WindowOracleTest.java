package dev.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.limits.CalendarOracle.Kind;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.Month;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Checks every calendar window against {@link CalendarOracle}, a brute-force model of the definition, in
 * zones with unusual clocks, and checks that consecutive periods partition the timeline.
 */
class WindowOracleTest {

  /** Zones with DST, half-hour and 45-minute offsets, midnight transitions and skipped days. */
  static final List<ZoneId> ZONES = List.of(
      ZoneOffset.UTC,
      ZoneId.of("UTC"),
      ZoneId.of("Europe/Berlin"),
      ZoneId.of("Europe/London"),
      ZoneId.of("Europe/Dublin"), // negative DST in the source data
      ZoneId.of("Europe/Moscow"), // changed standard offset in 2011 and 2014
      ZoneId.of("America/New_York"),
      ZoneId.of("America/St_Johns"), // -3:30
      ZoneId.of("America/Santiago"), // DST starts and ends at midnight
      ZoneId.of("America/Havana"), // DST starts at midnight
      ZoneId.of("America/Asuncion"),
      ZoneId.of("America/Sao_Paulo"), // midnight transitions until 2019
      ZoneId.of("America/Caracas"), // -4:30 from 2007 to 2016
      ZoneId.of("America/Nuuk"),
      ZoneId.of("Asia/Tehran"), // +3:30, midnight transitions until 2022
      ZoneId.of("Asia/Kathmandu"), // +5:45
      ZoneId.of("Asia/Kolkata"),
      ZoneId.of("Asia/Beirut"), // midnight transitions
      ZoneId.of("Asia/Gaza"),
      ZoneId.of("Asia/Pyongyang"), // moved by 30 minutes in 2015 and 2018
      ZoneId.of("Africa/Cairo"), // midnight transitions, incl. month boundaries
      ZoneId.of("Africa/Casablanca"), // DST suspended for Ramadan
      ZoneId.of("Australia/Lord_Howe"), // 30-minute DST
      ZoneId.of("Australia/Adelaide"),
      ZoneId.of("Pacific/Chatham"), // +12:45 / +13:45
      ZoneId.of("Pacific/Apia"), // skipped 2011-12-30
      ZoneId.of("Pacific/Fakaofo"), // skipped 2011-12-30
      ZoneId.of("Pacific/Kiritimati"), // +14, skipped 1994-12-31
      ZoneId.of("Antarctica/Troll"), // 2-hour DST
      ZoneOffset.ofHoursMinutes(5, 45),
      ZoneOffset.ofHours(-12),
      ZoneOffset.ofHours(14));

  static final List<Kind> KINDS = CalendarOracle.allKinds();

  static final long FROM = Instant.parse("1995-01-01T00:00:00Z").toEpochMilli();
  static final long TO = Instant.parse("2041-01-01T00:00:00Z").toEpochMilli();

  /** Checks the window's period at {@code t} against the oracle, and that its neighbours adjoin it. */
  static void check(ZoneId zone, Kind kind, long t) {
    CalendarOracle oracle = CalendarOracle.of(zone);
    Instant at = Instant.ofEpochMilli(t);
    Period expected = oracle.periodAt(kind, t);
    Window w = kind.window();
    Period actual = w.periodAt(at, zone);
    if (!actual.equals(expected)) {
      throw new AssertionError(kind + " in " + zone + " at " + at + " (local " + at.atZone(zone)
          + "): expected " + expected + " but got " + actual);
    }
    Period next = w.periodAt(actual.end(), zone);
    Period previous = w.periodAt(actual.start().minusMillis(1), zone);
    Period first = w.periodAt(actual.start(), zone);
    Period last = w.periodAt(actual.end().minusMillis(1), zone);
    if (!next.start().equals(actual.end()) || !previous.end().equals(actual.start())
        || !first.equals(actual) || !last.equals(actual)) {
      throw new AssertionError(kind + " in " + zone + ": period " + actual + " containing " + at
          + " does not partition the timeline: previous " + previous + ", at start " + first
          + ", at end - 1ms " + last + ", next " + next);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Random instants

  @Provide
  Arbitrary<ZoneId> zones() {
    return Arbitraries.of(ZONES);
  }

  @Provide
  Arbitrary<Kind> kinds() {
    return Arbitraries.of(KINDS);
  }

  @Provide
  Arbitrary<Long> instants() {
    return Arbitraries.longs().between(FROM, TO - 1);
  }

  @Property(tries = 20000)
  void randomInstantsMatchTheOracle(@ForAll("zones") ZoneId zone, @ForAll("kinds") Kind kind,
      @ForAll("instants") long t) {
    check(zone, kind, t);
  }

  /** An instant within two hours of a transition of the zone. */
  record NearTransition(ZoneId zone, long transition, long delta) {
    long instant() {
      return transition + delta;
    }
  }

  static final List<NearTransition> TRANSITIONS = allTransitions();

  private static List<NearTransition> allTransitions() {
    List<NearTransition> all = new ArrayList<>();
    for (ZoneId zone : ZONES) {
      for (long tr : CalendarOracle.of(zone).transitions(FROM, TO)) {
        all.add(new NearTransition(zone, tr, 0));
      }
    }
    return List.copyOf(all);
  }

  @Provide
  Arbitrary<NearTransition> nearTransitions() {
    Arbitrary<Long> deltas = Arbitraries.oneOf(
        Arbitraries.of(-1L, 0L, 1L, -CalendarOracle.HOUR, CalendarOracle.HOUR),
        Arbitraries.longs().between(-2 * CalendarOracle.HOUR, 2 * CalendarOracle.HOUR));
    return Combinators.combine(Arbitraries.of(TRANSITIONS), deltas)
        .as((n, d) -> new NearTransition(n.zone(), n.transition(), d));
  }

  @Property(tries = 10000)
  void instantsNearTransitionsMatchTheOracle(@ForAll("nearTransitions") NearTransition near,
      @ForAll("kinds") Kind kind) {
    check(near.zone(), kind, near.instant());
  }

  // ---------------------------------------------------------------------------------------------
  // Exhaustive sweeps

  @Example
  void everyTransitionFrom1995To2040InEveryZone() {
    assertThat(TRANSITIONS).hasSizeGreaterThan(1000);
    long checks = 0;
    for (NearTransition near : TRANSITIONS) {
      for (long delta : new long[] {-1, 0, 1}) {
        for (Kind kind : KINDS) {
          check(near.zone(), kind, near.transition() + delta);
          checks++;
        }
      }
    }
    System.out.printf("transition sweep: %d transitions, %d checks%n", TRANSITIONS.size(), checks);
  }

  @Example
  void yearAndMonthBoundariesInEveryZone() {
    long checks = 0;
    for (ZoneId zone : ZONES) {
      for (int year = 1995; year <= 2040; year++) {
        for (Month month : Month.values()) {
          // The last millisecond of the previous month and the first of this one, on the local clock.
          long first = LocalDate.of(year, month, 1).atStartOfDay(zone).toInstant().toEpochMilli();
          long last = LocalDateTime.of(year, month, 1, 0, 0).minusNanos(1_000_000).atZone(zone).toInstant()
              .toEpochMilli();
          for (long t : new long[] {last, first}) {
            check(zone, CalendarOracle.month(), t);
            check(zone, CalendarOracle.day(), t);
            check(zone, CalendarOracle.hours(1), t);
            checks += 3;
            if (month == Month.JANUARY) {
              check(zone, CalendarOracle.year(), t);
              check(zone, CalendarOracle.week(DayOfWeek.MONDAY), t);
              checks += 2;
            }
          }
        }
      }
    }
    System.out.printf("year and month boundaries: %d checks%n", checks);
  }

  @Example
  void monthsLastTheirNumberOfDaysWhereNoClockChanges() {
    for (int year = 1995; year <= 2040; year++) {
      for (Month month : Month.values()) {
        Instant t = LocalDate.of(year, month, 15).atStartOfDay(ZoneOffset.UTC).toInstant();
        Period p = Window.month().periodAt(t, ZoneId.of("Asia/Kolkata"));
        int days = month.length(LocalDate.of(year, 1, 1).isLeapYear());
        assertThat(p.start()).isEqualTo(LocalDate.of(year, month, 1).atStartOfDay(ZoneId.of("Asia/Kolkata"))
            .toInstant());
        assertThat(p.end().toEpochMilli() - p.start().toEpochMilli())
            .as("%s %s", month, year).isEqualTo(days * 24 * CalendarOracle.HOUR);
      }
    }
  }

  @Example
  void leapDaysInEveryZone() {
    for (ZoneId zone : ZONES) {
      for (int year = 1996; year <= 2040; year += 4) {
        ZonedDateTime noon = LocalDate.of(year, 2, 29).atTime(12, 0).atZone(zone);
        long t = noon.toInstant().toEpochMilli();
        for (Kind kind : KINDS) {
          check(zone, kind, t);
        }
        Period day = Window.day().periodAt(noon.toInstant(), zone);
        assertThat(day.start().atZone(zone).toLocalDate()).isEqualTo(LocalDate.of(year, 2, 29));
        Period month = Window.month().periodAt(noon.toInstant(), zone);
        assertThat(Window.day().periodAt(month.end().minusMillis(1), zone).start().atZone(zone).toLocalDate())
            .isEqualTo(LocalDate.of(year, 2, 29));
      }
    }
  }

  /** Walks period after period through whole years of days, each checked against the oracle. */
  @Example
  void consecutiveDaysAndWeeksThroughEventfulYears() {
    long checks = 0;
    for (ZoneId zone : ZONES) {
      for (int year : new int[] {2011, 2021, 2024}) {
        for (Kind kind : List.of(CalendarOracle.day(), CalendarOracle.week(DayOfWeek.SUNDAY),
            CalendarOracle.hours(12))) {
          long t = LocalDate.of(year, 1, 1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
          long end = LocalDate.of(year + 1, 1, 1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
          while (t < end) {
            check(zone, kind, t);
            checks++;
            t = kind.window().periodAt(Instant.ofEpochMilli(t), zone).end().toEpochMilli();
          }
        }
      }
    }
    assertThat(checks).isGreaterThan(ZONES.size() * 3 * (365 + 52 + 730));
    System.out.printf("consecutive periods: %d checks%n", checks);
  }

  /** Hour windows at every hour of the days around each transition of a few zones. */
  @Example
  void everyHourAroundTransitionsOfZonesWithOddTransitions() {
    long checks = 0;
    for (NearTransition near : TRANSITIONS) {
      String id = near.zone().getId();
      if (!id.equals("Antarctica/Troll") && !id.equals("Australia/Lord_Howe") && !id.equals("Asia/Tehran")
          && !id.equals("America/Santiago") && !id.equals("Pacific/Apia")) {
        continue;
      }
      for (long t = near.transition() - 26 * CalendarOracle.HOUR; t < near.transition() + 26 * CalendarOracle.HOUR;
          t += 15 * CalendarOracle.MINUTE) {
        for (int n : new int[] {1, 2, 3}) {
          check(near.zone(), CalendarOracle.hours(n), t);
          checks++;
        }
      }
    }
    System.out.printf("hours around transitions: %d checks%n", checks);
  }

  // ---------------------------------------------------------------------------------------------
  // Sanity of the oracle itself, on facts that need no model

  @Example
  void oracleKnowsBerlinSummerTime() {
    CalendarOracle berlin = CalendarOracle.of(ZoneId.of("Europe/Berlin"));
    assertThat(berlin.earliestAtOrAfter(LocalDateTime.parse("2024-03-31T02:00")))
        .isEqualTo(Instant.parse("2024-03-31T01:00:00Z").toEpochMilli());
    assertThat(berlin.earliestAtOrAfter(LocalDateTime.parse("2024-03-31T02:30")))
        .isEqualTo(Instant.parse("2024-03-31T01:00:00Z").toEpochMilli());
    assertThat(berlin.earliestAtOrAfter(LocalDateTime.parse("2024-10-27T02:00")))
        .isEqualTo(Instant.parse("2024-10-27T00:00:00Z").toEpochMilli());
    assertThat(berlin.earliestAtOrAfter(LocalDateTime.parse("2024-10-27T03:00")))
        .isEqualTo(Instant.parse("2024-10-27T02:00:00Z").toEpochMilli());
    assertThat(berlin.periodAt(CalendarOracle.day(), Instant.parse("2024-10-27T12:00:00Z").toEpochMilli()))
        .isEqualTo(new Period(Instant.parse("2024-10-26T22:00:00Z"), Instant.parse("2024-10-27T23:00:00Z")));
  }
}
