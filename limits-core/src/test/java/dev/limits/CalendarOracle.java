package dev.limits;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * A brute-force model of calendar periods, written from the definition and independent of
 * {@link Window.Calendar}'s arithmetic.
 *
 * <p>Definition: the period whose local start is {@code L} starts at {@code S(L)}, the earliest instant at
 * which the local clock shows {@code L} or later. {@code S} is found by scanning the instants around
 * {@code L} minute by minute (plus the instants right before and at each offset transition) and taking
 * the first one whose local time is at least {@code L}.
 *
 * <p>The period containing {@code t} is then {@code [S(L), S(next(L)))} for the largest local start
 * {@code L} with {@code S(L) <= t}. Because {@code S(L) <= t} holds exactly when the local clock has
 * shown {@code L} or later at some instant up to {@code t}, that {@code L} is the local start (the floor)
 * of {@code M(t)}, the highest local time shown up to {@code t}. {@code M(t)} is the maximum of the local
 * time at {@code t} and just before each transition in the 26 hours before {@code t} (the local time only
 * falls at transitions, and with offsets between -12:00 and +14:00 nothing earlier can exceed the local
 * time at {@code t}).
 */
final class CalendarOracle {

  static final long MINUTE = 60_000L;
  static final long HOUR = 60 * MINUTE;
  /** Offsets lie in [-12:00, +14:00]; checked on every lookup. */
  private static final long MIN_OFFSET = -12 * HOUR;
  private static final long MAX_OFFSET = 14 * HOUR;

  private static final Map<ZoneId, CalendarOracle> ORACLES = new ConcurrentHashMap<>();

  /** A calendar window kind described independently: how to floor a local time and step to the next start. */
  record Kind(String name, Window window, UnaryOperator<LocalDateTime> floor, UnaryOperator<LocalDateTime> next) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Kind hours(int n) {
    return new Kind(n == 1 ? "hour" : n + "h", n == 1 ? Window.hour() : Window.hours(n),
        l -> l.truncatedTo(ChronoUnit.HOURS).minusHours(l.getHour() % n), l -> l.plusHours(n));
  }

  static Kind day() {
    return new Kind("day", Window.day(), l -> l.toLocalDate().atStartOfDay(), l -> l.plusDays(1));
  }

  static Kind week(DayOfWeek first) {
    return new Kind("week-" + first, first == DayOfWeek.MONDAY ? Window.week() : Window.week(first),
        l -> l.toLocalDate().minusDays(Math.floorMod(l.getDayOfWeek().getValue() - first.getValue(), 7))
            .atStartOfDay(),
        l -> l.plusDays(7));
  }

  static Kind month() {
    return new Kind("month", Window.month(), l -> LocalDate.of(l.getYear(), l.getMonth(), 1).atStartOfDay(),
        l -> l.plusMonths(1));
  }

  static Kind year() {
    return new Kind("year", Window.year(), l -> LocalDate.of(l.getYear(), 1, 1).atStartOfDay(),
        l -> l.plusYears(1));
  }

  /** Every calendar window kind: 1, 2, 3, 4, 6, 8, 12 hours, day, week on each first day, month, year. */
  static List<Kind> allKinds() {
    List<Kind> kinds = new ArrayList<>();
    for (int n : new int[] {1, 2, 3, 4, 6, 8, 12}) {
      kinds.add(hours(n));
    }
    kinds.add(day());
    for (DayOfWeek d : DayOfWeek.values()) {
      kinds.add(week(d));
    }
    kinds.add(month());
    kinds.add(year());
    return List.copyOf(kinds);
  }

  static CalendarOracle of(ZoneId zone) {
    return ORACLES.computeIfAbsent(zone, CalendarOracle::new);
  }

  private final ZoneId zone;
  private final ZoneRules rules;
  private final Map<LocalDateTime, Long> starts = new ConcurrentHashMap<>();

  private CalendarOracle(ZoneId zone) {
    this.zone = zone;
    this.rules = zone.getRules();
  }

  ZoneId zone() {
    return zone;
  }

  /** The local wall-clock time at {@code t}, as milliseconds of a UTC-based local epoch. */
  long localMillis(long t) {
    long offset = rules.getOffset(Instant.ofEpochMilli(t)).getTotalSeconds() * 1000L;
    if (offset < MIN_OFFSET || offset > MAX_OFFSET || offset % MINUTE != 0) {
      throw new AssertionError("oracle assumes whole-minute offsets in [-12:00, +14:00]; " + zone + " has "
          + offset + " ms at " + Instant.ofEpochMilli(t));
    }
    return t + offset;
  }

  static long toMillis(LocalDateTime local) {
    return local.toInstant(ZoneOffset.UTC).toEpochMilli();
  }

  static LocalDateTime toLocal(long localMillis) {
    return LocalDateTime.ofInstant(Instant.ofEpochMilli(localMillis), ZoneOffset.UTC);
  }

  /** The transition instants in {@code (from, to]}. */
  List<Long> transitions(long from, long to) {
    List<Long> result = new ArrayList<>();
    ZoneOffsetTransition tr = rules.nextTransition(Instant.ofEpochMilli(from));
    while (tr != null && tr.getInstant().toEpochMilli() <= to) {
      result.add(tr.getInstant().toEpochMilli());
      tr = rules.nextTransition(tr.getInstant());
    }
    return result;
  }

  /**
   * S(L): the earliest instant whose local time is {@code local} or later, by scanning. No instant before
   * {@code L - 14h} (as if L were UTC) can show L, and {@code L + 12h} always does. Between two scan points
   * the offset is constant, so the local time rises with the instant and reaches L (a whole minute) at a
   * whole minute: scanning every minute and both sides of every transition is exact.
   */
  long earliestAtOrAfter(LocalDateTime local) {
    Long cached = starts.get(local);
    if (cached != null) {
      return cached;
    }
    long target = toMillis(local);
    if (target % MINUTE != 0) {
      throw new AssertionError("oracle scans whole minutes, period start " + local + " is not one");
    }
    long from = target - MAX_OFFSET;
    long to = target - MIN_OFFSET;
    long best = Long.MAX_VALUE;
    for (long tr : transitions(from - 1, to)) {
      for (long p : new long[] {tr - 1, tr}) {
        if (p >= from && p < best && localMillis(p) >= target) {
          best = p;
        }
      }
    }
    for (long m = Math.floorDiv(from + MINUTE - 1, MINUTE) * MINUTE; m <= to && m < best; m += MINUTE) {
      if (localMillis(m) >= target) {
        best = m;
        break;
      }
    }
    if (best == Long.MAX_VALUE) {
      throw new AssertionError("no instant in " + zone + " shows " + local);
    }
    starts.put(local, best);
    return best;
  }

  /** M(t): the highest local time the clock has shown at or before {@code t}. */
  long highWaterLocal(long t) {
    long max = localMillis(t);
    for (long tr : transitions(t + MIN_OFFSET - MAX_OFFSET - 1, t)) {
      max = Math.max(max, localMillis(tr - 1));
    }
    return max;
  }

  /** The period of {@code kind} containing {@code t}, by the definition. */
  Period periodAt(Kind kind, long t) {
    LocalDateTime start = kind.floor().apply(toLocal(highWaterLocal(t)));
    long s = earliestAtOrAfter(start);
    long e = earliestAtOrAfter(kind.next().apply(start));
    if (!(s <= t && t < e)) {
      throw new AssertionError("oracle inconsistent for " + kind + " in " + zone + " at "
          + Instant.ofEpochMilli(t) + ": [" + Instant.ofEpochMilli(s) + ", " + Instant.ofEpochMilli(e) + ")");
    }
    return new Period(Instant.ofEpochMilli(s), Instant.ofEpochMilli(e));
  }
}
