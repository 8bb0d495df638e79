package dev.limits.internal;

import dev.limits.Metric;
import dev.limits.Period;
import dev.limits.Quota;
import dev.limits.Window;
import dev.limits.spi.Charge;
import dev.limits.spi.Slot;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The current period of each quota's window, per zone, recomputed only when an instant falls outside it:
 * calendar arithmetic runs once per boundary (once an hour at most), not on every call.
 */
public final class PeriodCache {

  private final Window[] windows;
  private final String[] keys;
  private final int[] keyIds;
  private final long[] limits;
  private final Charge[] charges;
  private final @Nullable Metric sharedMetric;
  private volatile @Nullable WarningLevels warningLevels;

  /** The {@link #warningLevels} of one threshold; published as one reference so both always match. */
  private static final class WarningLevels {
    final double threshold;
    final long[] levels;

    WarningLevels(double threshold, long[] levels) {
      this.threshold = threshold;
      this.levels = levels;
    }
  }
  private final ConcurrentHashMap<ZoneId, ZonePeriods> byZone = new ConcurrentHashMap<>();
  private volatile @Nullable ZonePeriods last;

  /** The periods of one zone; published as one reference so zone and periods always match. */
  private static final class ZonePeriods {
    final ZoneId zone;
    final @Nullable Entry[] periods;
    volatile @Nullable Frame frame;

    ZonePeriods(ZoneId zone, int size) {
      this.zone = zone;
      this.periods = new Entry[size];
    }
  }

  /**
   * The current period and slot of every quota at once, with the interval in which all of them stay
   * current: a call inside it does one comparison instead of a look-up per window. Immutable.
   */
  public static final class Frame {
    private final Period[] periods;
    private final Slot[] slots;
    private final long validFrom;
    private final long validUntil;

    Frame(Period[] periods, Slot[] slots, long validFrom, long validUntil) {
      this.periods = periods;
      this.slots = slots;
      this.validFrom = validFrom;
      this.validUntil = validUntil;
    }

    /** Whether every period of this frame contains {@code millis} (epoch milliseconds). */
    public boolean covers(long millis) {
      return validFrom <= millis && millis < validUntil;
    }

    /** The period of quota {@code index}. */
    public Period period(int index) {
      return periods[index];
    }

    /** The slot of quota {@code index}. */
    public Slot slot(int index) {
      return slots[index];
    }

    /** The periods of every quota, by position; shared, never to be written. */
    public Period[] periods() {
      return periods;
    }

    /** The slots of every quota, by position; shared, never to be written. */
    public Slot[] slots() {
      return slots;
    }
  }

  /**
   * A period and the storage slot for it.
   *
   * @param period the period
   * @param slot   the counter cell of the quota in that period
   */
  public record Entry(Period period, Slot slot) {}

  /** Creates a cache for the windows of {@code quotas}, by position. */
  public PeriodCache(List<Quota> quotas) {
    this.windows = new Window[quotas.size()];
    this.keys = new String[quotas.size()];
    this.keyIds = new int[quotas.size()];
    this.limits = new long[quotas.size()];
    this.charges = new Charge[quotas.size()];
    Metric shared = quotas.isEmpty() ? null : quotas.get(0).metric();
    for (int i = 0; i < windows.length; i++) {
      if (quotas.get(i).metric() != shared || quotas.get(i).scope() != null) {
        shared = null;
      }
      windows[i] = quotas.get(i).window();
      keys[i] = quotas.get(i).counterKey();
      keyIds[i] = CounterKeys.id(keys[i]);
      limits[i] = quotas.get(i).limit();
    }
    this.sharedMetric = shared;
  }

  /**
   * The metric of every quota when they all count the very same metric instance for every model, as a plan
   * of several windows on one metric does: a request with an amount of it is charged by every quota, in
   * order. Null otherwise, or without quotas.
   */
  public @Nullable Metric sharedMetric() {
    return sharedMetric;
  }

  /** The {@link CounterKeys} id of each quota's counter key, by position; shared, never to be written. */
  public int[] keyIds() {
    return keyIds;
  }

  /** The limit of each quota, by position; shared, never to be written. */
  public long[] limits() {
    return limits;
  }

  /**
   * The warning level of each quota for {@code threshold}, by position: the least usage {@code u} with
   * {@code u >= threshold * limit} in double arithmetic, the rule of a warning, so that a call compares two
   * longs instead; {@link Long#MAX_VALUE} for a limit of zero or less, which {@code limit > 0} must exclude
   * before. Shared, never to be written; cached for the last threshold asked.
   */
  public long[] warningLevels(double threshold) {
    WarningLevels w = warningLevels;
    if (w == null || w.threshold != threshold) {
      long[] levels = new long[limits.length];
      for (int i = 0; i < levels.length; i++) {
        levels[i] = limits[i] > 0 ? leastReaching(threshold * limits[i]) : Long.MAX_VALUE;
      }
      w = new WarningLevels(threshold, levels);
      warningLevels = w; // a benign race: every writer stores correct levels for its threshold
    }
    return w.levels;
  }

  /** The least {@code u >= 0} with {@code (double) u >= x}, for {@code 0 <= x <= Long.MAX_VALUE}. */
  static long leastReaching(double x) {
    long u = (long) Math.ceil(x); // (double) u >= x: ceil(x) is a whole double, saturated at 2^63 - 1 = 2^63
    while (u > 0 && (double) (u - 1) >= x) {
      u--; // longs near 2^63 round up to the same double: at most a few hundred steps, once per threshold
    }
    return u;
  }

  /**
   * Returns the frame of every quota's period that contains {@code instant} in {@code zone}: the cached one
   * while {@code instant} stays within all of its periods, otherwise a new one.
   */
  public Frame frame(Instant instant, ZoneId zone) {
    return frame(instant, instant.toEpochMilli(), zone);
  }

  /** {@link #frame(Instant, ZoneId)} for a caller that already has {@code millis}, the instant's epoch millis. */
  public Frame frame(Instant instant, long millis, ZoneId zone) {
    ZonePeriods zp = zone(zone);
    Frame f = zp.frame;
    if (f != null && f.covers(millis)) {
      return f;
    }
    Period[] periods = new Period[windows.length];
    Slot[] slots = new Slot[windows.length];
    long from = Long.MIN_VALUE;
    long until = Long.MAX_VALUE;
    for (int i = 0; i < windows.length; i++) {
      Entry e = period(i, instant, zone);
      periods[i] = e.period();
      slots[i] = e.slot();
      from = Math.max(from, e.slot().start());
      until = Math.min(until, e.slot().end());
    }
    f = new Frame(periods, slots, from, until);
    zp.frame = f; // a benign race: every writer stores a correct frame for its instant
    return f;
  }

  private ZonePeriods zone(ZoneId zone) {
    ZonePeriods entry = last;
    if (entry == null || !entry.zone.equals(zone)) {
      if (byZone.size() > 1_000) {
        byZone.clear(); // many per-subject zones: keep memory bounded, the cache refills on demand
      }
      entry = byZone.computeIfAbsent(zone, z -> new ZonePeriods(z, windows.length));
      last = entry;
    }
    return entry;
  }

  /**
   * Returns the period of the window of quota {@code index} that contains {@code instant} in {@code zone},
   * with its slot.
   */
  public Entry period(int index, Instant instant, ZoneId zone) {
    @Nullable Entry[] periods = zone(zone).periods;
    Entry e = periods[index];
    if (e == null || !e.period().contains(instant)) {
      Period p = windows[index].periodAt(instant, zone);
      long start = p.start().toEpochMilli();
      long end = p.isEndless() ? Long.MAX_VALUE : p.end().toEpochMilli();
      e = new Entry(p, new Slot(keys[index], start, end, windows[index].lookback()));
      periods[index] = e; // a benign race: every writer stores a correct entry for its instant
    }
    return e;
  }

  /**
   * Returns a charge of {@code amount} within {@code limit} in {@code slot}, the current slot of quota
   * {@code index}: the charge made for the first request of that period when it has the same amount and
   * limit (a message counts 1, call after call), otherwise a new one. Charges are immutable, so sharing
   * them is safe; the cache is written only when the period changes, so varying amounts do not make
   * threads write to it on every call.
   */
  public Charge charge(int index, Slot slot, long limit, long amount) {
    Charge c = charges[index];
    if (c != null && c.slot() == slot) {
      return c.amount() == amount && c.limit() == limit ? c : new Charge(slot, limit, amount);
    }
    c = new Charge(slot, limit, amount);
    charges[index] = c; // a benign race like the periods': every writer stores a correct charge
    return c;
  }
}
