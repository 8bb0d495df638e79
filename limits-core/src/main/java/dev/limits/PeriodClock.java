package dev.limits;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Objects;

/**
 * The one source of time in the library, and the entry point to window arithmetic.
 *
 * <p>Nothing in the library calls {@code Instant.now()} or {@code System.currentTimeMillis()}: every
 * component asks its {@code PeriodClock}. Production code uses {@link #system()}; tests use the fake clock
 * of the testkit ({@code dev.limits.testkit.FakeClock}) and move time by hand.
 *
 * <p>Implementations must be thread-safe.
 *
 * @see Window
 * @see Period
 */
public interface PeriodClock {

  /** {@return the current instant} */
  Instant instant();

  /**
   * Returns the period of {@code window} that contains the current instant, in {@code zone}.
   *
   * @param window the window
   * @param zone   the zone of calendar boundaries
   * @return the current period
   * @throws NullPointerException if an argument is null
   */
  default Period periodOf(Window window, ZoneId zone) {
    Objects.requireNonNull(window, "window");
    Objects.requireNonNull(zone, "zone");
    return window.periodAt(instant(), zone);
  }

  /** {@return a clock reading the system's UTC time} */
  static PeriodClock system() {
    return of(Clock.systemUTC());
  }

  /**
   * Returns a clock reading {@code clock}; its zone is ignored, zones are given per window lookup.
   *
   * @param clock the clock to read
   * @return a clock
   * @throws NullPointerException if {@code clock} is null
   */
  static PeriodClock of(Clock clock) {
    Objects.requireNonNull(clock, "clock");
    return clock::instant;
  }
}
