package dev.limits.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.limits.Period;
import dev.limits.Window;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class FakeClockTest {

  private static final Instant START = Instant.parse("2026-03-01T10:15:30.250Z");

  @Test
  void standsStillAtItsStartingInstant() {
    FakeClock clock = FakeClock.at(START);

    assertThat(clock.instant()).isEqualTo(START);
    assertThat(clock.instant()).isEqualTo(START);
    assertThat(clock.millis()).isEqualTo(START.toEpochMilli());
    assertThat(FakeClock.at("2026-03-01T10:15:30.250Z").instant()).isEqualTo(START);
  }

  @Test
  void rejectsMissingAndMalformedStarts() {
    assertThatThrownBy(() -> FakeClock.at((Instant) null)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("instant");
    assertThatThrownBy(() -> FakeClock.at((String) null)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("iso");
    assertThatThrownBy(() -> FakeClock.at("2026-03-01 10:15")).isInstanceOf(DateTimeParseException.class)
        .hasMessageContaining("2026-03-01 10:15");
  }

  @Test
  void setMovesForwardsAndBackwards() {
    FakeClock clock = FakeClock.at(START);

    clock.set(START.plusSeconds(3600));
    assertThat(clock.instant()).isEqualTo(START.plusSeconds(3600));
    clock.set(START.minusSeconds(60));
    assertThat(clock.instant()).isEqualTo(START.minusSeconds(60));
    assertThatThrownBy(() -> clock.set(null)).isInstanceOf(NullPointerException.class);
    assertThat(clock.instant()).isEqualTo(START.minusSeconds(60));
  }

  @Test
  void advanceAddsTheDuration() {
    FakeClock clock = FakeClock.at(START);

    assertThat(clock.advance(Duration.ofMinutes(90))).isEqualTo(START.plus(Duration.ofMinutes(90)));
    assertThat(clock.advance(Duration.ZERO)).isEqualTo(START.plus(Duration.ofMinutes(90)));
    assertThat(clock.advance(Duration.ofMillis(1)))
        .isEqualTo(START.plus(Duration.ofMillis(90 * 60_000 + 1)));
    assertThat(clock.millis()).isEqualTo(START.toEpochMilli() + 90 * 60_000 + 1);
  }

  @Test
  void advanceRejectsANegativeDurationAndStaysPut() {
    FakeClock clock = FakeClock.at(START);

    assertThatThrownBy(() -> clock.advance(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT-1S");
    assertThatThrownBy(() -> clock.advance(null)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("duration");
    assertThat(clock.instant()).isEqualTo(START);
  }

  @Test
  void advancePastTheEndOfTimeFailsAndStaysPut() {
    FakeClock clock = FakeClock.at(Instant.MAX.minusSeconds(1));

    assertThatThrownBy(() -> clock.advance(Duration.ofSeconds(2))).isInstanceOf(DateTimeException.class);
    assertThat(clock.instant()).isEqualTo(Instant.MAX.minusSeconds(1));
  }

  @Test
  void advanceToNextJumpsToTheEndOfTheCurrentPeriod() {
    FakeClock clock = FakeClock.at(START);

    assertThat(clock.advanceToNext(Window.hour(), ZoneOffset.UTC))
        .isEqualTo(Instant.parse("2026-03-01T11:00:00Z"));
    assertThat(clock.advanceToNext(Window.hour(), ZoneOffset.UTC))
        .isEqualTo(Instant.parse("2026-03-01T12:00:00Z"));
    assertThat(clock.advanceToNext(Window.day(), ZoneOffset.UTC))
        .isEqualTo(Instant.parse("2026-03-02T00:00:00Z"));
    assertThat(clock.advanceToNext(Window.month(), ZoneOffset.UTC))
        .isEqualTo(Instant.parse("2026-04-01T00:00:00Z"));
    assertThat(clock.instant()).isEqualTo(Instant.parse("2026-04-01T00:00:00Z"));
  }

  @Test
  void advanceToNextFollowsTheZoneAndItsDaylightSavingTime() {
    ZoneId berlin = ZoneId.of("Europe/Berlin");
    // 2026-03-29 is 23 hours long in Berlin: clocks jump from 02:00 to 03:00.
    FakeClock clock = FakeClock.at("2026-03-28T23:30:00Z");

    Instant nextDay = clock.advanceToNext(Window.day(), berlin);

    assertThat(nextDay).isEqualTo(Instant.parse("2026-03-29T22:00:00Z"));
    Period period = clock.periodOf(Window.day(), berlin);
    assertThat(period.start()).isEqualTo(nextDay);
    assertThat(period.end()).isEqualTo(Instant.parse("2026-03-30T22:00:00Z"));
  }

  @Test
  void advanceToNextOfARollingWindowJumpsToTheNextBucket() {
    FakeClock clock = FakeClock.at(START);

    assertThat(clock.advanceToNext(Window.rolling(Duration.ofHours(1)), ZoneOffset.UTC))
        .isEqualTo(Instant.parse("2026-03-01T10:20:00Z"));
  }

  @Test
  void advanceToNextRejectsTheLifetimeWindowAndStaysPut() {
    FakeClock clock = FakeClock.at(START);

    assertThatThrownBy(() -> clock.advanceToNext(Window.lifetime(), ZoneOffset.UTC))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lifetime");
    assertThatThrownBy(() -> clock.advanceToNext(null, ZoneOffset.UTC))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("window");
    assertThatThrownBy(() -> clock.advanceToNext(Window.day(), null))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("zone");
    assertThat(clock.instant()).isEqualTo(START);
  }

  @Test
  void periodOfUsesTheClocksInstant() {
    FakeClock clock = FakeClock.at(START);

    assertThat(clock.periodOf(Window.hour(), ZoneOffset.UTC)).isEqualTo(
        new Period(Instant.parse("2026-03-01T10:00:00Z"), Instant.parse("2026-03-01T11:00:00Z")));
    clock.advance(Duration.ofHours(1));
    assertThat(clock.periodOf(Window.hour(), ZoneOffset.UTC).start())
        .isEqualTo(Instant.parse("2026-03-01T11:00:00Z"));
  }

  @Test
  void concurrentAdvancesAddUp() throws Exception {
    FakeClock clock = FakeClock.at(START);
    int threads = 8;
    int advances = 10_000;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        futures.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < advances; i++) {
            clock.advance(Duration.ofMillis(1));
            assertThat(clock.instant()).isAfter(START);
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> future : futures) {
        future.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(clock.millis()).isEqualTo(START.toEpochMilli() + (long) threads * advances);
  }

  @Test
  void toStringShowsTheInstant() {
    assertThat(FakeClock.at(START)).hasToString("FakeClock[2026-03-01T10:15:30.250Z]");
  }
}
