package dev.limits;

import dev.limits.internal.Checks;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.TemporalAdjusters;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A kind of time window over which usage is counted: calendar, rolling or lifetime.
 *
 * <ul>
 *   <li>{@linkplain Calendar Calendar} windows follow the local wall clock of a zone: {@link #hour()},
 *       {@link #hours(int) N hours} aligned to local midnight, {@link #day()}, {@link #week()} (with a
 *       configurable first day), {@link #month()} and {@link #year()}. They reset at their boundary: midnight,
 *       Monday midnight, the 1st.
 *   <li>{@linkplain Rolling Rolling} windows ("any 60 minutes") never admit more than the limit within any
 *       interval of their length. Usage is kept in buckets of a fixed granularity and stops counting between
 *       {@code length} and {@code length + granularity} after it happened (never earlier).
 *   <li>The {@linkplain Lifetime lifetime} window never resets (for example the uses of a discount code).
 * </ul>
 *
 * <p><b>Daylight saving time.</b> A calendar period starts at the earliest instant at which the local clock
 * shows its start or later. A day is one day whatever its length (23, 24 or 25 hours); where the clocks
 * jump over midnight (Asia/Tehran before 2022, America/Santiago) the day starts when the clock first shows a
 * time of that day. Where the clocks go back, the repeated local hour belongs to one period, which then
 * lasts longer. Periods never overlap and never leave a gap, so every instant belongs to exactly one period.
 *
 * <p>Every window has a stable {@link #id()} such as {@code "day"}, {@code "3h"}, {@code "week-sat"} or
 * {@code "rolling-PT1H"}, which storage uses as part of a counter's key and {@link #parse(String)} reads back.
 *
 * <p>All implementations are immutable and thread-safe.
 *
 * @see Period
 * @see PeriodClock
 */
public sealed interface Window permits Window.Calendar, Window.Rolling, Window.Lifetime {

  /** {@return the stable identifier of this window, unique among windows and accepted by {@link #parse}} */
  String id();

  /**
   * Returns the period of this window containing {@code instant}, with calendar boundaries in {@code zone}.
   *
   * @param instant the instant
   * @param zone    the zone of calendar boundaries
   * @return the period
   * @throws NullPointerException if an argument is null
   */
  Period periodAt(Instant instant, ZoneId zone);

  /**
   * {@return how many earlier periods (buckets) still count together with the current one: 0 for calendar
   * and lifetime windows, {@code length / granularity} for rolling windows}
   */
  int lookback();

  /** {@return one hour, aligned to the local clock} */
  static Window hour() {
    return Calendar.HOUR;
  }

  /**
   * Blocks of {@code n} hours aligned to local midnight (3 hours: 00:00, 03:00, 06:00 ...).
   *
   * @param n the block length in hours
   * @return the window
   * @throws IllegalArgumentException if {@code n} is not 1, 2, 3, 4, 6, 8 or 12
   */
  static Window hours(int n) {
    return new Calendar(Calendar.Unit.HOURS, n, DayOfWeek.MONDAY);
  }

  /** {@return one local day, from midnight to midnight} */
  static Window day() {
    return Calendar.DAY;
  }

  /** {@return one week starting on Monday at local midnight (ISO-8601)} */
  static Window week() {
    return Calendar.WEEK;
  }

  /**
   * One week starting on {@code firstDay} at local midnight: Saturday as in Iran, Sunday as in the US.
   *
   * @param firstDay the first day of each week
   * @return the window
   * @throws NullPointerException if {@code firstDay} is null
   */
  static Window week(DayOfWeek firstDay) {
    return new Calendar(Calendar.Unit.WEEKS, 1, Objects.requireNonNull(firstDay, "firstDay"));
  }

  /** {@return one calendar month, from the 1st at local midnight} */
  static Window month() {
    return Calendar.MONTH;
  }

  /** {@return one calendar year, from January 1st at local midnight} */
  static Window year() {
    return Calendar.YEAR;
  }

  /**
   * A rolling window of {@code length}, with a granularity of a twelfth of it where that divides evenly
   * (five minutes for an hour).
   *
   * @param length the window's length
   * @return the window
   * @throws NullPointerException     if {@code length} is null
   * @throws IllegalArgumentException if {@code length} is shorter than one second or longer than 366 days
   */
  static Window rolling(Duration length) {
    Objects.requireNonNull(length, "length");
    Checks.requireArgument(length.compareTo(Duration.ofSeconds(1)) >= 0
            && length.compareTo(Duration.ofDays(366)) <= 0,
        "rolling window length must be between 1 second and 366 days, got %s", length);
    long millis = length.toMillis();
    int buckets = 12;
    while (millis % buckets != 0) {
      buckets--;
    }
    return new Rolling(length, Duration.ofMillis(millis / buckets));
  }

  /**
   * A rolling window of {@code length} counted in buckets of {@code granularity}.
   *
   * @param length      the window's length
   * @param granularity the bucket length
   * @return the window
   * @throws NullPointerException     if an argument is null
   * @throws IllegalArgumentException if {@code granularity} does not divide {@code length}, is under one
   *                                  millisecond, or makes more than {@value Rolling#MAX_BUCKETS} buckets
   */
  static Window rolling(Duration length, Duration granularity) {
    return new Rolling(length, granularity);
  }

  /** {@return a window that never resets} */
  static Window lifetime() {
    return Lifetime.INSTANCE;
  }

  /**
   * Reads a window back from its {@link #id()}. Only the canonical id is accepted: {@code "01h"} or
   * {@code "rolling-PT60M/PT5M"} are rejected with a hint naming the canonical form.
   *
   * @param id a canonical window id
   * @return the window
   * @throws NullPointerException     if {@code id} is null
   * @throws IllegalArgumentException if {@code id} names no window
   */
  static Window parse(String id) {
    Objects.requireNonNull(id, "id");
    Window window = parseLoosely(id);
    if (!window.id().equals(id)) {
      throw new IllegalArgumentException("unknown window '" + id + "'; did you mean '" + window.id() + "'?");
    }
    return window;
  }

  private static Window parseLoosely(String id) {
    switch (id) {
      case "hour": return hour();
      case "day": return day();
      case "week": return week();
      case "month": return month();
      case "year": return year();
      case "lifetime": return lifetime();
      default: break;
    }
    try {
      if (id.startsWith("week-")) {
        String day = id.substring(5);
        for (DayOfWeek d : DayOfWeek.values()) {
          if (Calendar.shortName(d).equals(day)) {
            return week(d);
          }
        }
      } else if (id.endsWith("h") && id.length() <= 3) {
        return hours(Integer.parseInt(id.substring(0, id.length() - 1)));
      } else if (id.startsWith("rolling-")) {
        String[] parts = id.substring(8).split("/", -1);
        if (parts.length == 2) {
          return rolling(Duration.parse(parts[0]), Duration.parse(parts[1]));
        }
      }
    } catch (NumberFormatException | DateTimeParseException e) {
      // fall through to the error naming the id
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown window '" + id + "': " + e.getMessage(), e);
    }
    throw new IllegalArgumentException("unknown window '" + id + "'");
  }

  /**
   * A window that follows the local calendar of a zone: N hours, a day, a week, a month or a year.
   *
   * @param unit     the calendar unit
   * @param amount   the number of units in one period: a divisor of 24 below 24 for hours, otherwise 1
   * @param firstDay the first day of a week; {@link DayOfWeek#MONDAY} for units other than weeks
   */
  record Calendar(Unit unit, int amount, DayOfWeek firstDay) implements Window {

    static final Calendar HOUR = new Calendar(Unit.HOURS, 1, DayOfWeek.MONDAY);
    static final Calendar DAY = new Calendar(Unit.DAYS, 1, DayOfWeek.MONDAY);
    static final Calendar WEEK = new Calendar(Unit.WEEKS, 1, DayOfWeek.MONDAY);
    static final Calendar MONTH = new Calendar(Unit.MONTHS, 1, DayOfWeek.MONDAY);
    static final Calendar YEAR = new Calendar(Unit.YEARS, 1, DayOfWeek.MONDAY);

    /** The calendar units a {@link Calendar} window counts in. */
    public enum Unit {
      /** Hours, or blocks of hours aligned to local midnight. */
      HOURS,
      /** Local calendar days. */
      DAYS,
      /** Weeks starting on the window's first day. */
      WEEKS,
      /** Calendar months. */
      MONTHS,
      /** Calendar years. */
      YEARS
    }

    /**
     * Creates a calendar window.
     *
     * @param unit     the calendar unit
     * @param amount   the number of units in one period: a divisor of 24 below 24 for hours, otherwise 1
     * @param firstDay the first day of a week; {@link DayOfWeek#MONDAY} for units other than weeks
     * @throws NullPointerException     if {@code unit} or {@code firstDay} is null
     * @throws IllegalArgumentException if {@code amount} is not allowed for {@code unit}
     */
    public Calendar {
      Objects.requireNonNull(unit, "unit");
      Objects.requireNonNull(firstDay, "firstDay");
      if (unit == Unit.HOURS) {
        if (amount < 1 || amount >= 24 || 24 % amount != 0) {
          throw new IllegalArgumentException("hour windows must divide a day (1, 2, 3, 4, 6, 8 or 12 hours), got "
              + amount + " hours; " + longerWindow(amount));
        }
      } else {
        Checks.requireArgument(amount == 1, "%s windows span exactly one unit, got %s", unit, amount);
      }
      if (unit != Unit.WEEKS) {
        firstDay = DayOfWeek.MONDAY;
      }
    }

    /** Points a caller asking for hour blocks of a day or more to the window that fits. */
    private static String longerWindow(int hours) {
      if (hours == 24) {
        return "for one day use Window.day()";
      }
      if (hours > 24 && hours % 24 == 0) {
        return "for any " + hours / 24 + " days in a row use Window.rolling(Duration.ofDays(" + hours / 24 + "))";
      }
      return "for longer periods use Window.day(), week(), month() or rolling(Duration)";
    }

    @Override
    public String id() {
      switch (unit) {
        case HOURS: return amount == 1 ? "hour" : amount + "h";
        case DAYS: return "day";
        case WEEKS: return firstDay == DayOfWeek.MONDAY ? "week" : "week-" + shortName(firstDay);
        case MONTHS: return "month";
        default: return "year";
      }
    }

    @Override
    public int lookback() {
      return 0;
    }

    @Override
    public Period periodAt(Instant instant, ZoneId zone) {
      Objects.requireNonNull(instant, "instant");
      ZoneRules rules = Objects.requireNonNull(zone, "zone").getRules();
      LocalDateTime start = floor(LocalDateTime.ofInstant(instant, zone));
      Instant startInstant = earliestAtOrAfter(start, rules);
      LocalDateTime next = next(start);
      Instant endInstant = earliestAtOrAfter(next, rules);
      // Where the clock went back across a boundary, the local date-time trails the period it is in.
      while (!endInstant.isAfter(instant)) {
        startInstant = endInstant;
        next = next(next);
        endInstant = earliestAtOrAfter(next, rules);
      }
      return new Period(startInstant, endInstant);
    }

    private LocalDateTime floor(LocalDateTime local) {
      switch (unit) {
        case HOURS:
          return local.toLocalDate().atTime(local.getHour() / amount * amount, 0);
        case DAYS:
          return local.toLocalDate().atStartOfDay();
        case WEEKS:
          return local.toLocalDate().with(TemporalAdjusters.previousOrSame(firstDay)).atStartOfDay();
        case MONTHS:
          return local.toLocalDate().withDayOfMonth(1).atStartOfDay();
        default:
          return local.toLocalDate().withDayOfYear(1).atStartOfDay();
      }
    }

    private LocalDateTime next(LocalDateTime start) {
      switch (unit) {
        case HOURS: return start.plusHours(amount);
        case DAYS: return start.plusDays(1);
        case WEEKS: return start.plusWeeks(1);
        case MONTHS: return start.plusMonths(1);
        default: return start.plusYears(1);
      }
    }

    /** The earliest instant at which the local clock shows {@code local} or later. */
    private static Instant earliestAtOrAfter(LocalDateTime local, ZoneRules rules) {
      List<ZoneOffset> offsets = rules.getValidOffsets(local);
      if (offsets.isEmpty()) {
        ZoneOffsetTransition gap = rules.getTransition(local);
        return gap.getInstant();
      }
      Instant earliest = local.toInstant(offsets.get(0));
      for (int i = 1; i < offsets.size(); i++) {
        Instant candidate = local.toInstant(offsets.get(i));
        if (candidate.isBefore(earliest)) {
          earliest = candidate;
        }
      }
      return earliest;
    }

    static String shortName(DayOfWeek day) {
      return day.name().substring(0, 3).toLowerCase(Locale.ROOT);
    }
  }

  /**
   * A rolling window: at most the limit within any interval of {@code length}.
   *
   * <p>Usage is kept in buckets of {@code granularity}, aligned to the epoch and independent of zones. A
   * check sums the current bucket and the {@link #lookback()} buckets before it, so usage stops counting
   * between {@code length} and {@code length + granularity} after it happened: the window errs on the side
   * of refusing, never of admitting too much.
   *
   * @param length      the length of the window
   * @param granularity the bucket size; it divides {@code length}
   */
  record Rolling(Duration length, Duration granularity) implements Window {

    /** The largest number of buckets a rolling window may use. */
    public static final int MAX_BUCKETS = 120;

    /**
     * Creates a rolling window.
     *
     * @param length      the length of the window
     * @param granularity the bucket size; it divides {@code length}
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if the granularity is under one millisecond, does not divide the
     *                                  length, or makes more than {@value #MAX_BUCKETS} buckets, or the
     *                                  length is longer than 366 days
     */
    public Rolling {
      Objects.requireNonNull(length, "length");
      Objects.requireNonNull(granularity, "granularity");
      Checks.requireArgument(granularity.compareTo(Duration.ofMillis(1)) >= 0
              && granularity.getNano() % 1_000_000 == 0,
          "rolling granularity must be a positive whole number of milliseconds, got %s", granularity);
      Checks.requireArgument(length.compareTo(Duration.ofDays(366)) <= 0 && length.compareTo(granularity) >= 0,
          "rolling window length must be between its granularity and 366 days, got %s", length);
      Checks.requireArgument(length.toNanos() % granularity.toNanos() == 0,
          "rolling granularity %s does not divide the window length %s", granularity, length);
      Checks.requireArgument(length.toMillis() / granularity.toMillis() <= MAX_BUCKETS,
          "rolling window %s in buckets of %s makes more than %s buckets", length, granularity, MAX_BUCKETS);
    }

    @Override
    public String id() {
      return "rolling-" + length + "/" + granularity;
    }

    @Override
    public int lookback() {
      return (int) (length.toMillis() / granularity.toMillis());
    }

    @Override
    public Period periodAt(Instant instant, ZoneId zone) {
      Objects.requireNonNull(instant, "instant");
      Objects.requireNonNull(zone, "zone");
      long g = granularity.toMillis();
      long start = Math.floorDiv(instant.toEpochMilli(), g) * g;
      return new Period(Instant.ofEpochMilli(start), Instant.ofEpochMilli(start + g));
    }
  }

  /** The window that never resets: one period from the epoch to {@link Instant#MAX}. */
  record Lifetime() implements Window {

    static final Lifetime INSTANCE = new Lifetime();
    private static final Period FOREVER = new Period(Instant.EPOCH, Instant.MAX);

    @Override
    public String id() {
      return "lifetime";
    }

    @Override
    public int lookback() {
      return 0;
    }

    @Override
    public Period periodAt(Instant instant, ZoneId zone) {
      Objects.requireNonNull(instant, "instant");
      Objects.requireNonNull(zone, "zone");
      return FOREVER;
    }
  }
}
