package dev.limits.internal;

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
  private final Charge[] charges;
  private final ConcurrentHashMap<ZoneId, ZonePeriods> byZone = new ConcurrentHashMap<>();
  private volatile @Nullable ZonePeriods last;

  /** The periods of one zone; the pair is published as one reference so zone and periods always match. */
  private record ZonePeriods(ZoneId zone, @Nullable Entry[] periods) {}

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
    this.charges = new Charge[quotas.size()];
    for (int i = 0; i < windows.length; i++) {
      windows[i] = quotas.get(i).window();
      keys[i] = quotas.get(i).counterKey();
    }
  }

  /**
   * Returns the period of the window of quota {@code index} that contains {@code instant} in {@code zone},
   * with its slot.
   */
  public Entry period(int index, Instant instant, ZoneId zone) {
    ZonePeriods entry = last;
    if (entry == null || !entry.zone().equals(zone)) {
      if (byZone.size() > 1_000) {
        byZone.clear(); // many per-subject zones: keep memory bounded, the cache refills on demand
      }
      entry = byZone.computeIfAbsent(zone, z -> new ZonePeriods(z, new Entry[windows.length]));
      last = entry;
    }
    @Nullable Entry[] periods = entry.periods();
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
   * Returns a charge of {@code amount} within {@code limit} in the slot of {@code entry}, the period of quota
   * {@code index}: the charge made for the first request of that period when it has the same amount and
   * limit (a message counts 1, call after call), otherwise a new one. Charges are immutable, so sharing
   * them is safe; the cache is written only when the period changes, so varying amounts do not make
   * threads write to it on every call.
   */
  public Charge charge(int index, Entry entry, long limit, long amount) {
    Charge c = charges[index];
    if (c != null && c.slot() == entry.slot()) {
      return c.amount() == amount && c.limit() == limit ? c : new Charge(entry.slot(), limit, amount);
    }
    c = new Charge(entry.slot(), limit, amount);
    charges[index] = c; // a benign race like the periods': every writer stores a correct charge
    return c;
  }
}
