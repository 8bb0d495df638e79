package dev.limits.benchmarks;

import dev.limits.LimitPolicy;
import dev.limits.Metric;
import dev.limits.PeriodClock;
import dev.limits.Quota;
import dev.limits.Window;
import dev.limits.spi.Charge;
import dev.limits.spi.Slot;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConfigurationBuilder;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.local.LocalBucketBuilder;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/** The policies, requests and Bucket4j buckets the benchmarks share. */
final class Fixtures {

  /** A Wednesday in the middle of a month: no window boundary is near, so the period cache always hits. */
  static final Instant NOW = Instant.parse("2026-11-18T10:15:30Z");

  /** A fixed clock: calendar arithmetic is cached as in production, and no benchmark reads the system clock. */
  static final PeriodClock CLOCK = () -> NOW;

  static final ZoneId ZONE = ZoneId.of("Europe/Berlin");

  static final Metric MESSAGES = Metric.count("messages");

  /** Large enough that hours of benchmarking never reach it: the allowed path is what is measured. */
  static final long LARGE = 1_000_000_000_000L;

  /** Small, and used up in setup: every request is denied. */
  static final long SMALL = 10;

  /** How many subjects the "spread" benchmarks cycle through. */
  static final int SUBJECTS = 10_000;

  private Fixtures() {}

  /** The windows of a plan with {@code count} quotas on one metric: 1 (hour) or 6 (hour to month). */
  static List<Window> windows(int count) {
    List<Window> all = List.of(Window.hour(), Window.hours(3), Window.hours(12), Window.day(), Window.week(),
        Window.month());
    if (count != 1 && count != all.size()) {
      throw new IllegalArgumentException("windows must be 1 or 6, got " + count);
    }
    return all.subList(0, count);
  }

  /** Rough lengths of the same windows, for Bucket4j's bandwidths (it has no calendar). */
  static List<Duration> durations(int count) {
    List<Duration> all = List.of(Duration.ofHours(1), Duration.ofHours(3), Duration.ofHours(12),
        Duration.ofDays(1), Duration.ofDays(7), Duration.ofDays(30));
    return all.subList(0, count);
  }

  static LimitPolicy policy(int windows, long limit) {
    return policy(limits(windows, limit));
  }

  /** A plan with one quota per limit: the first window (hour) has the first limit, and so on. */
  static LimitPolicy policy(long[] limits) {
    LimitPolicy.Builder b = LimitPolicy.builder("bench").zone(ZONE);
    List<Window> windows = windows(limits.length);
    for (int i = 0; i < limits.length; i++) {
      b.quota(MESSAGES, windows.get(i), limits[i]);
    }
    return b.build();
  }

  /** The same limit on each of {@code windows} windows. */
  static long[] limits(int windows, long limit) {
    long[] limits = new long[windows];
    java.util.Arrays.fill(limits, limit);
    return limits;
  }

  /** The charges the limiter would send to its counter for one message, resolved once. */
  static List<Charge> charges(LimitPolicy policy) {
    List<Charge> charges = new ArrayList<>();
    for (Quota q : policy.quotas()) {
      dev.limits.Period p = q.window().periodAt(NOW, policy.zone());
      charges.add(new Charge(new Slot(q.counterKey(), p.start().toEpochMilli(), p.end().toEpochMilli(),
          q.window().lookback()), q.limit(), 1));
    }
    return charges;
  }

  /** The {@code subjects} parameter: {@code spread} (false) or {@code hot} (true). */
  static boolean isHot(String subjects) {
    return switch (subjects) {
      case "spread" -> false;
      case "hot" -> true;
      default -> throw new IllegalArgumentException("subjects must be spread or hot, got " + subjects);
    };
  }

  static String subject(int i) {
    return String.format("user-%05d", i);
  }

  /** A Bucket4j local bucket with one bandwidth per window, on a fixed time meter like our fixed clock. */
  static Bucket bucket(int windows, long limit) {
    LocalBucketBuilder b = Bucket.builder().withCustomTimePrecision(FixedTime.INSTANCE);
    bandwidths(limits(windows, limit)).forEach(b::addLimit);
    return b.build();
  }

  /** One bandwidth per window, as {@link #bucket} has, for Bucket4j's distributed (proxy manager) buckets. */
  static BucketConfiguration bucketConfiguration(long[] limits) {
    ConfigurationBuilder b = BucketConfiguration.builder();
    bandwidths(limits).forEach(b::addLimit);
    return b.build();
  }

  /** {@code refillIntervally} over the windows' rough lengths, the i-th with the i-th limit. */
  private static List<Bandwidth> bandwidths(long[] limits) {
    List<Duration> durations = durations(limits.length);
    List<Bandwidth> bandwidths = new ArrayList<>();
    for (int i = 0; i < limits.length; i++) {
      bandwidths.add(Bandwidth.builder().capacity(limits[i]).refillIntervally(limits[i], durations.get(i))
          .build());
    }
    return bandwidths;
  }

  /** The fixed time meter of the local buckets, for a proxy manager's client-side clock. */
  static TimeMeter fixedTime() {
    return FixedTime.INSTANCE;
  }

  /** Bucket4j's counterpart of the fixed clock. */
  private enum FixedTime implements TimeMeter {
    INSTANCE;

    private static final long NANOS = NOW.getEpochSecond() * 1_000_000_000L + NOW.getNano();

    @Override
    public long currentTimeNanos() {
      return NANOS;
    }

    @Override
    public boolean isWallClockBased() {
      return true;
    }
  }
}
