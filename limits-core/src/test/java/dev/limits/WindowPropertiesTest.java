package dev.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/** Properties of rolling windows, ids and argument checks over random inputs. */
class WindowPropertiesTest {

  static final long DAY = 86_400_000L;
  static final long MAX_LENGTH = 366 * DAY;
  static final Set<Integer> DIVISORS = Set.of(1, 2, 3, 4, 6, 8, 12);

  @Provide
  Arbitrary<Window.Rolling> rollingWindows() {
    Arbitrary<Long> granularities = Arbitraries.oneOf(
        Arbitraries.longs().between(1, 10_000),
        Arbitraries.of(1_000L, 60_000L, 300_000L, 3_600_000L, DAY),
        Arbitraries.longs().between(1, MAX_LENGTH));
    return Combinators.combine(granularities, Arbitraries.integers().between(1, Window.Rolling.MAX_BUCKETS))
        .as((g, k) -> g * k <= MAX_LENGTH ? (Window.Rolling) Window.rolling(Duration.ofMillis(g * k),
            Duration.ofMillis(g)) : (Window.Rolling) Window.rolling(Duration.ofMillis(g), Duration.ofMillis(g)));
  }

  @Provide
  Arbitrary<ZoneId> zones() {
    return Arbitraries.of(WindowOracleTest.ZONES);
  }

  @Property(tries = 2000)
  void rollingBucketsAreAlignedGranules(@ForAll("rollingWindows") Window.Rolling w,
      @ForAll @LongRange(min = -2_000_000_000_000L, max = 4_000_000_000_000L) long t,
      @ForAll("zones") ZoneId zone) {
    long g = w.granularity().toMillis();
    Period p = w.periodAt(Instant.ofEpochMilli(t), zone);
    assertThat(Math.floorMod(p.start().toEpochMilli(), g)).isZero();
    assertThat(p.end().toEpochMilli() - p.start().toEpochMilli()).isEqualTo(g);
    assertThat(p.contains(Instant.ofEpochMilli(t))).isTrue();
    assertThat(w.periodAt(Instant.ofEpochMilli(t), ZoneId.of("UTC"))).isEqualTo(p);
    assertThat(w.periodAt(p.end(), zone).start()).isEqualTo(p.end());
    assertThat(w.lookback()).isEqualTo(w.length().toMillis() / g);
    assertThat(w.lookback()).isBetween(1, Window.Rolling.MAX_BUCKETS);
  }

  /**
   * A check sums the current bucket and the lookback buckets before it: usage at {@code e} still counts at
   * {@code t} if less than the window length has passed, and no longer once length + granularity has.
   */
  @Property(tries = 2000)
  void usageStopsCountingBetweenLengthAndLengthPlusGranularity(@ForAll("rollingWindows") Window.Rolling w,
      @ForAll @LongRange(min = 0, max = 3_000_000_000_000L) long e,
      @ForAll @LongRange(min = 0, max = 2 * MAX_LENGTH) long elapsed) {
    long g = w.granularity().toMillis();
    long length = w.length().toMillis();
    long usageBucket = w.periodAt(Instant.ofEpochMilli(e), ZoneId.of("UTC")).start().toEpochMilli() / g;
    long nowBucket = w.periodAt(Instant.ofEpochMilli(e + elapsed), ZoneId.of("UTC")).start().toEpochMilli() / g;
    boolean counts = nowBucket - usageBucket <= w.lookback();
    if (elapsed < length) {
      assertThat(counts).isTrue();
    }
    if (elapsed >= length + g) {
      assertThat(counts).isFalse();
    }
  }

  @Property(tries = 2000)
  void defaultGranularityIsTheLargestDivisorUpToTwelve(
      @ForAll @LongRange(min = 1_000, max = MAX_LENGTH) long millis) {
    Window.Rolling w = (Window.Rolling) Window.rolling(Duration.ofMillis(millis));
    assertThat(w.length()).isEqualTo(Duration.ofMillis(millis));
    int buckets = w.lookback();
    assertThat(buckets).isBetween(1, 12);
    assertThat(w.granularity().toMillis() * buckets).isEqualTo(millis);
    for (int k = buckets + 1; k <= 12; k++) {
      assertThat(millis % k).as("%s buckets would divide %s ms", k, millis).isNotZero();
    }
  }

  @Property(tries = 1000)
  void rollingIdsRoundTrip(@ForAll("rollingWindows") Window.Rolling w) {
    assertThat(w.id()).startsWith("rolling-");
    assertThat(Window.parse(w.id())).isEqualTo(w);
    assertThat(Window.parse(w.id()).id()).isEqualTo(w.id());
  }

  @Property(tries = 500)
  void rollingRejectsGranularitiesThatDoNotDivide(
      @ForAll @LongRange(min = 1_000, max = MAX_LENGTH) long length,
      @ForAll @LongRange(min = 1, max = MAX_LENGTH) long granularity) {
    boolean valid = granularity <= length && length % granularity == 0
        && length / granularity <= Window.Rolling.MAX_BUCKETS;
    if (valid) {
      assertThat(Window.rolling(Duration.ofMillis(length), Duration.ofMillis(granularity)).lookback())
          .isEqualTo((int) (length / granularity));
    } else {
      assertThatThrownBy(() -> Window.rolling(Duration.ofMillis(length), Duration.ofMillis(granularity)))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Property(tries = 300)
  void hourBlocksAreExactlyTheDivisorsOfADay(@ForAll @IntRange(min = -100, max = 100) int n) {
    if (DIVISORS.contains(n)) {
      Window w = Window.hours(n);
      assertThat(Window.parse(w.id())).isEqualTo(w);
      assertThat(w.id()).isEqualTo(n == 1 ? "hour" : n + "h");
    } else {
      assertThatThrownBy(() -> Window.hours(n))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(Integer.toString(n));
    }
  }

  @Property(tries = 300)
  void randomStringsAreEitherWindowIdsOrRejectedByName(@ForAll("idLikeStrings") String id) {
    Window w;
    try {
      w = Window.parse(id);
    } catch (IllegalArgumentException e) {
      assertThat(e).hasMessageContaining("'" + id + "'");
      return;
    }
    // Whatever parses is a window whose own id parses back to it.
    assertThat(Window.parse(w.id())).isEqualTo(w);
  }

  @Provide
  Arbitrary<String> idLikeStrings() {
    Arbitrary<String> prefixes = Arbitraries.of("", "week-", "rolling-", "rolling-PT", "rolling-PT1H/PT");
    Arbitrary<String> suffixes = Arbitraries.strings().withChars("0123456789hHmMsSTP/-.dayweklont")
        .ofMinLength(0).ofMaxLength(8);
    return Combinators.combine(prefixes, suffixes).as(String::concat);
  }
}
