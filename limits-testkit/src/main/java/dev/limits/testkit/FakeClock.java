package dev.limits.testkit;

import dev.limits.Period;
import dev.limits.PeriodClock;
import dev.limits.Window;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link PeriodClock} that stands still until a test moves it.
 *
 * <p>Time only changes through {@link #set}, {@link #advance} and {@link #advanceToNext}, so a test can
 * walk across window boundaries without sleeping. Thread-safe: every read sees one consistent instant and
 * every move is atomic, so concurrent {@code advance} calls add up exactly.
 *
 * <pre>{@code
 * FakeClock clock = FakeClock.at("2026-03-01T10:15:00Z");
 * clock.advanceToNext(Window.hour(), ZoneOffset.UTC); // 11:00
 * clock.advance(Duration.ofMinutes(5));              // 11:05
 * }</pre>
 *
 * @see PeriodClock
 */
public final class FakeClock implements PeriodClock {

  private final AtomicReference<Instant> now;

  private FakeClock(Instant start) {
    this.now = new AtomicReference<>(start);
  }

  /**
   * Returns a clock standing at {@code instant}.
   *
   * @param instant where the clock stands
   * @return a new clock
   * @throws NullPointerException if {@code instant} is null
   */
  public static FakeClock at(Instant instant) {
    return new FakeClock(Objects.requireNonNull(instant, "instant"));
  }

  /**
   * Returns a clock standing at the ISO-8601 instant {@code iso}, such as {@code "2026-03-01T10:15:00Z"}.
   *
   * @param iso where the clock stands, as {@link Instant#parse} reads it
   * @return a new clock
   * @throws NullPointerException                         if {@code iso} is null
   * @throws java.time.format.DateTimeParseException if {@code iso} is not an ISO-8601 instant
   */
  public static FakeClock at(String iso) {
    return at(Instant.parse(Objects.requireNonNull(iso, "iso")));
  }

  /**
   * Returns the instant the clock stands at.
   *
   * <p>Thread-safe.
   */
  @Override
  public Instant instant() {
    return now.get();
  }

  /**
   * Returns the instant the clock stands at, in epoch milliseconds.
   *
   * <p>Thread-safe.
   *
   * @return the current instant in milliseconds since the epoch
   * @throws ArithmeticException if the instant is too far from the epoch for a {@code long}
   */
  public long millis() {
    return now.get().toEpochMilli();
  }

  /**
   * Moves the clock to {@code instant}, forwards or backwards (to test a store's handling of a lagging
   * clock).
   *
   * <p>Thread-safe.
   *
   * @param instant where the clock stands from now on
   * @throws NullPointerException if {@code instant} is null
   */
  public void set(Instant instant) {
    now.set(Objects.requireNonNull(instant, "instant"));
  }

  /**
   * Moves the clock forwards by {@code duration}, atomically.
   *
   * <p>Thread-safe: concurrent calls add up.
   *
   * @param duration how far to move, zero or more
   * @return the new instant
   * @throws NullPointerException        if {@code duration} is null
   * @throws IllegalArgumentException    if {@code duration} is negative (use {@link #set} to go back)
   * @throws java.time.DateTimeException if the result would be after {@link Instant#MAX}
   */
  public Instant advance(Duration duration) {
    Objects.requireNonNull(duration, "duration");
    if (duration.isNegative()) {
      throw new IllegalArgumentException(
          "a clock advances by a duration of zero or more, got " + duration + "; use set(Instant) to go back");
    }
    return now.updateAndGet(t -> t.plus(duration));
  }

  /**
   * Moves the clock to the start of the next period of {@code window} in {@code zone}, that is to the end of
   * the period it stands in, atomically.
   *
   * <p>Thread-safe: two concurrent calls move the clock by two periods.
   *
   * @param window the window whose next period to jump to
   * @param zone   the zone of its calendar boundaries
   * @return the new instant
   * @throws NullPointerException     if an argument is null
   * @throws IllegalArgumentException if {@code window} is a lifetime window, which has no next period
   */
  public Instant advanceToNext(Window window, ZoneId zone) {
    Objects.requireNonNull(window, "window");
    Objects.requireNonNull(zone, "zone");
    return now.updateAndGet(t -> {
      Period period = window.periodAt(t, zone);
      if (period.isEndless()) {
        throw new IllegalArgumentException(
            "window '" + window.id() + "' never ends, so it has no next period");
      }
      return period.end();
    });
  }

  /** Returns {@code "FakeClock[<instant>]"}. */
  @Override
  public String toString() {
    return "FakeClock[" + now.get() + "]";
  }
}
