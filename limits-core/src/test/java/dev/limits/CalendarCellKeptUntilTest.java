package dev.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.limits.spi.Slot;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Checks the bound behind {@link Slot#calendarCellKeptUntil}: a calendar cell, at least as long as the
 * shortest period of its window in any zone, is kept after its end for at least the longest period of that
 * window in any zone, so that no period which can still come overlaps a dropped cell.
 */
class CalendarCellKeptUntilTest {

  private static final Instant FROM = Instant.parse("2000-01-01T00:00:00Z");
  private static final Instant TO = Instant.parse("2040-01-01T00:00:00Z");
  private static final List<Window> CALENDAR = List.of(Window.hour(), Window.hours(2), Window.hours(3),
      Window.hours(4), Window.hours(6), Window.hours(8), Window.hours(12), Window.day(), Window.week(),
      Window.month(), Window.year());

  @Test
  void aCellIsKeptAtLeastAsLongAsTheLongestPeriodOfItsWindowInAnyZone() {
    for (Window window : CALENDAR) {
      long shortest = Long.MAX_VALUE;
      long longest = 0;
      // A period of hours differs from its usual length only where a transition falls in it or next to it,
      // a longer one where a transition falls in it; zones that share their rules share their periods.
      int quarters = ((Window.Calendar) window).unit() == Window.Calendar.Unit.HOURS ? 8 : 1;
      Set<ZoneRules> seen = new HashSet<>();
      for (String id : ZoneId.getAvailableZoneIds()) {
        ZoneId zone = ZoneId.of(id);
        ZoneRules rules = zone.getRules();
        if (!seen.add(rules)) {
          continue;
        }
        for (int month = 0; month < 12; month++) {
          long length = length(window, FROM.plus(Duration.ofDays(31L * month)), zone);
          shortest = Math.min(shortest, length);
          longest = Math.max(longest, length);
        }
        for (ZoneOffsetTransition t = rules.nextTransition(FROM); t != null && t.getInstant().isBefore(TO);
             t = rules.nextTransition(t.getInstant())) {
          for (int quarter = -quarters; quarter <= quarters; quarter++) {
            long length = length(window, t.getInstant().plus(Duration.ofMinutes(15L * quarter)), zone);
            shortest = Math.min(shortest, length);
            longest = Math.max(longest, length);
          }
        }
      }
      long end = 1_767_225_600_000L;
      assertThat(Slot.calendarCellKeptUntil(end - shortest, end) - end)
          .as("keep of a %s cell, periods %s to %s ms long", window.id(), shortest, longest)
          .isGreaterThanOrEqualTo(longest);
    }
  }

  private static long length(Window window, Instant at, ZoneId zone) {
    Period period = window.periodAt(at, zone);
    return period.end().toEpochMilli() - period.start().toEpochMilli();
  }
}
