package dev.limits.internal;

import dev.limits.Metric;
import dev.limits.Period;
import dev.limits.Quota;
import dev.limits.Window;
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
  private final Quota[] quotas;
  private final @Nullable Metric sharedMetric;

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
    private final Quota[] quotas;
    private final int[] keyIds;
    private final long[] limits;
    // Of the first amount asked. Not volatile: charges hold only final fields, so any thread that reads one
    // sees it whole, and a thread that misses it only makes its own.
    private @Nullable Charges all;

    Frame(Period[] periods, Slot[] slots, long validFrom, long validUntil, Quota[] quotas, int[] keyIds,
        long[] limits) {
      this.periods = periods;
      this.slots = slots;
      this.validFrom = validFrom;
      this.validUntil = validUntil;
      this.quotas = quotas;
      this.keyIds = keyIds;
      this.limits = limits;
    }

    /**
     * Returns the charges of {@code amount} by every quota, in order, in this frame's periods: the ones made
     * for the frame's first call when it had the same amount (a message counts 1, call after call),
     * otherwise new ones. Charges are immutable, so sharing them is safe; the frame is written once, so that
     * calls of varying amounts (tokens) do not make threads write to it on every call.
     */
    public Charges all(long amount) {
      Charges c = all;
      if (c != null && c.amount(0) == amount) {
        return c;
      }
      Charges fresh = new Charges(quotas.length, quotas, periods, keyIds, slots, limits, null, null, amount, this);
      if (c == null) {
        all = fresh; // a benign race: every writer stores correct charges
      }
      return fresh;
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
    this.quotas = quotas.toArray(new Quota[0]);
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

  /** The quotas, by position; shared, never to be written. */
  public Quota[] quotas() {
    return quotas;
  }

  /** The limit of each quota, by position; shared, never to be written. */
  public long[] limits() {
    return limits;
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
    return f != null && f.covers(millis) ? f : newFrame(zp, instant, zone);
  }

  /** The frame at {@code instant}, computed and cached; apart from {@link #frame}, so that it stays small. */
  private Frame newFrame(ZonePeriods zp, Instant instant, ZoneId zone) {
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
    Frame f = new Frame(periods, slots, from, until, quotas, keyIds, limits);
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
}
