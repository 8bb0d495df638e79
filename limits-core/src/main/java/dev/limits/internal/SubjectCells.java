package dev.limits.internal;

import dev.limits.spi.Charge;
import dev.limits.spi.Slot;
import dev.limits.spi.WindowCell;
import java.util.Arrays;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The counter cells of one subject of the {@link InMemoryUsageCounter}, and the limiter's fast path over them;
 * guarded by the lock of the {@link SubjectState} they belong to.
 *
 * <p>All cells of a subject sit in one array, {@value #STRIDE} longs each: the {@link CounterKeys} id of
 * its key, then for a calendar or lifetime cell (lookback 0) the cell in {@link WindowCell}'s layout (its
 * period's start and end, and its usage). A rolling cell keeps its ring of buckets in an array of its own at
 * the same position of {@code rings}: the bucket length and the lookback, then the cell in
 * {@link WindowCell}'s layout. Spread over many subjects, what an operation pays for is cache misses: here
 * the subject's state and the few cache lines of its cells, and a charge finds its cell at its own position
 * in the request, where it was created. The arithmetic of a cell is {@link WindowCell}'s; what this class
 * adds is where the cells are, and the one shortcut of {@link #plainAdd}.
 */
abstract class SubjectCells {
  static final int STRIDE = 4;
  static final int CELL = 1; // where a calendar cell starts after its key id
  static final int START = CELL + WindowCell.START;
  static final int USED = CELL + WindowCell.USED;
  // A rolling cell's array: its bucket length, its lookback, then the cell.
  static final int RING_LENGTH = 0;
  static final int RING_LOOKBACK = 1;
  static final int RING_CELL = 2;
  static final int CAPACITY = 8; // cells of a new subject

  long[] data = new long[CAPACITY * STRIDE];
  long @Nullable [] @Nullable [] rings; // only once the subject has a rolling cell
  int size;
  // A frame whose key ids and slots the cells at positions 0 to n - 1 were found to match (see plainAdd);
  // forgotten when a cell moves or starts a new period.
  @Nullable Object plainFrame;

  /** The position of the cell of key {@code id}, or -1 if there is none; it is usually at {@code hint}. */
  int find(int id, int hint) {
    long[] d = data;
    if (hint < size && d[hint * STRIDE] == id) {
      return hint;
    }
    if (id >= 0) {
      for (int p = 0; p < size; p++) {
        if (d[p * STRIDE] == id) {
          return p;
        }
      }
    }
    return -1;
  }

  int keyAt(int p) {
    return (int) data[p * STRIDE];
  }

  /** Appends an empty cell for key {@code id}, shaped by {@code slot}; returns its position. */
  int newCell(int id, Slot slot) {
    if (size * STRIDE == data.length) {
      data = Arrays.copyOf(data, data.length * 2);
    }
    int p = size++;
    int o = p * STRIDE;
    data[o] = id;
    WindowCell.clear(data, o + CELL, 0);
    if (slot.isRolling()) {
      long @Nullable [] @Nullable [] r = rings;
      int capacity = data.length / STRIDE;
      if (r == null) {
        r = new long[capacity][];
      } else if (r.length < capacity) {
        r = Arrays.copyOf(r, capacity);
      }
      long[] ring = new long[RING_CELL + WindowCell.size(slot.lookback())];
      ring[RING_LENGTH] = slot.length();
      ring[RING_LOOKBACK] = slot.lookback();
      WindowCell.clear(ring, RING_CELL, slot.lookback());
      r[p] = ring;
      rings = r;
    }
    return p;
  }

  /** Swaps the cells at {@code a} and {@code b}. */
  void swap(int a, int b) {
    long[] d = data;
    for (int k = 0; k < STRIDE; k++) {
      long t = d[a * STRIDE + k];
      d[a * STRIDE + k] = d[b * STRIDE + k];
      d[b * STRIDE + k] = t;
    }
    long[] ringA = ring(a);
    long[] ringB = ring(b);
    if (ringA != null || ringB != null) {
      long @Nullable [] @Nullable [] r = Objects.requireNonNull(rings);
      if (r.length < data.length / STRIDE) {
        r = Arrays.copyOf(r, data.length / STRIDE);
        rings = r;
      }
      r[a] = ringB;
      r[b] = ringA;
    }
    plainFrame = null;
  }

  /** Removes the cell at {@code p}, moving the last cell into its place. */
  void remove(int p) {
    plainFrame = null;
    int last = --size;
    System.arraycopy(data, last * STRIDE, data, p * STRIDE, STRIDE);
    long @Nullable [] @Nullable [] r = rings;
    if (r != null && p < r.length) {
      r[p] = last < r.length ? r[last] : null;
    }
    if (r != null && last < r.length) {
      r[last] = null;
    }
  }

  private long @Nullable [] ring(int p) {
    long @Nullable [] @Nullable [] r = rings;
    return r == null || p >= r.length ? null : r[p]; // cells appended after the last ring have none
  }

  /** Usage of the cell at {@code p} that counts against {@code slot}: {@link WindowCell#usedFor}. */
  long usedFor(int p, Slot slot) {
    long[] ring = ring(p);
    return ring != null ? WindowCell.usedFor(ring, RING_CELL, slot)
        : WindowCell.usedFor(data, p * STRIDE + CELL, slot);
  }

  /**
   * Adds {@code amount} for {@code slot} to the cell at {@code p}: {@link WindowCell#add}.
   *
   * @return the start of the period charged
   */
  long add(int p, Slot slot, long amount, boolean intoNewer) {
    long[] ring = ring(p);
    if (ring != null) {
      return WindowCell.add(ring, RING_CELL, slot, amount, intoNewer);
    }
    int o = p * STRIDE;
    long stored = data[o + START];
    long start = WindowCell.add(data, o + CELL, slot, amount, intoNewer);
    if (data[o + START] != stored) {
      plainFrame = null; // a new period: plainAdd compares the cells again
    }
    return start;
  }

  /** Adds to the period that starts at {@code start} if it is still kept; otherwise drops the amount. */
  void addToBucket(int p, long start, long amount) {
    long[] ring = ring(p);
    if (ring != null) {
      WindowCell.addToBucket(ring, RING_CELL, ring[RING_LENGTH], (int) ring[RING_LOOKBACK], start, amount);
    } else {
      WindowCell.addToBucket(data, p * STRIDE + CELL, 1, 0, start, amount);
    }
  }

  /** Subtracts from the period that starts at {@code start} if it is still kept, never below zero. */
  void subtract(int p, long start, long amount) {
    long[] ring = ring(p);
    if (ring != null) {
      WindowCell.subtract(ring, RING_CELL, ring[RING_LENGTH], (int) ring[RING_LOOKBACK], start, amount);
    } else {
      WindowCell.subtract(data, p * STRIDE + CELL, 1, 0, start, amount);
    }
  }

  boolean expiredAt(int p, long now) {
    long[] ring = ring(p);
    return (ring != null ? WindowCell.expiresAt(ring, RING_CELL, ring[RING_LENGTH], (int) ring[RING_LOOKBACK])
        : WindowCell.expiresAt(data, p * STRIDE + CELL, 1, 0)) <= now;
  }

  /** Whether purge may drop the cell at {@code now}: {@link WindowCell#keptUntil}. */
  boolean droppableAt(int p, long now) {
    long[] ring = ring(p);
    return (ring != null ? WindowCell.keptUntil(ring, RING_CELL, ring[RING_LENGTH], (int) ring[RING_LOOKBACK])
        : WindowCell.keptUntil(data, p * STRIDE + CELL, 1, 0)) <= now;
  }

  /** Usage that still counts at {@code now}. */
  long usedAt(int p, long now) {
    long[] ring = ring(p);
    return ring != null
        ? WindowCell.usedAt(ring, RING_CELL, ring[RING_LENGTH], (int) ring[RING_LOOKBACK], now)
        : WindowCell.usedAt(data, p * STRIDE + CELL, 1, 0, now);
  }

  long newestStart(int p) {
    long[] ring = ring(p);
    return ring != null ? ring[RING_CELL + WindowCell.START] : data[p * STRIDE + START];
  }

  /**
   * Counts {@code amounts[i]} (or {@code amount} for every charge, if {@code amounts} is null) for charge
   * {@code i < n} in cell {@code keyIds[i]}, all or nothing; each cell's usage after it, or as it stands if
   * denied, goes back into {@code amounts} if not null.
   */
  boolean enforce(@Nullable Object frame, int[] keyIds, Slot[] slots, long[] limits, long @Nullable [] amounts,
      long amount, int n) {
    int plain = plainAdd(frame, keyIds, slots, limits, amounts, amount, n);
    if (plain == COUNTED || plain == DENIED && amounts == null) {
      return plain == COUNTED;
    }
    // Not the common case (a new period or subject), or a denial to report: nothing was written, and the
    // loops below answer.
    long[] a = amounts;
    if (a == null) {
      a = new long[n];
      Arrays.fill(a, amount);
    }
    for (int i = 0; i < n; i++) {
      int p = find(keyIds[i], i);
      if (!WindowCell.fits(limits[i], a[i], p < 0 ? 0 : usedFor(p, slots[i]))) {
        for (int j = 0; j < n; j++) {
          int q = find(keyIds[j], j);
          a[j] = q < 0 ? 0 : usedFor(q, slots[j]);
        }
        return false;
      }
    }
    for (int i = 0; i < n; i++) {
      int p = find(keyIds[i], i);
      if (p < 0) {
        p = newCell(keyIds[i], slots[i]);
      }
      if (p > i) {
        // Keep the cells in the order of the charges (a purge moves them), for plainAdd next time.
        swap(p, i);
        p = i;
      }
      a[i] = addForUsage(p, slots[i], a[i]);
    }
    return true;
  }

  static final int NOT_PLAIN = -1;
  static final int DENIED = 0;
  static final int COUNTED = 1;

  /**
   * Counts the charges in the common case, in which a charge's usage is its cell's and counting it is an
   * addition: the subject has no rolling cell, and the cell of each charge {@code i} sits at position
   * {@code i} and holds the period of the charge's slot. Then answers {@link #COUNTED}, each cell's usage
   * after it in {@code amounts} (if not null), when every charge had room for its amount
   * ({@code amounts[i]}, or {@code amount} for every charge when {@code amounts} is null), and
   * {@link #DENIED} otherwise; either way, as the general loops of {@link #enforce} would have. Otherwise
   * answers {@link #NOT_PLAIN}. Nothing is written unless it answers {@link #COUNTED}.
   *
   * <p>{@code frame}, if not null, stands for {@code keyIds} and {@code slots} (a policy's frame, whose key
   * ids and slots never change): once the cells were found to match it, they are not compared again until
   * a cell moves or starts a new period ({@link #plainFrame}).
   */
  private int plainAdd(@Nullable Object frame, int[] keyIds, Slot[] slots, long[] limits,
      long @Nullable [] amounts, long amount, int n) {
    if (rings != null || n > size) {
      return NOT_PLAIN;
    }
    long[] d = data;
    boolean whole = n == keyIds.length; // the frame stands for all of its key ids and slots
    if (!whole || frame == null || frame != plainFrame) {
      for (int i = 0; i < n; i++) {
        int o = i * STRIDE;
        if (d[o] != keyIds[i] || d[o + START] != slots[i].start()) {
          return NOT_PLAIN;
        }
      }
      if (whole) {
        plainFrame = frame;
      }
    }
    // One pass: add where there is room, and take back what was added at the first charge without.
    for (int i = 0; i < n; i++) {
      int o = i * STRIDE + USED;
      long a = amounts == null ? amount : amounts[i];
      if (!WindowCell.fits(limits[i], a, d[o])) {
        for (int j = 0; j < i; j++) {
          d[j * STRIDE + USED] -= amounts == null ? amount : amounts[j];
        }
        return DENIED;
      }
      d[o] += a; // within the limit: no overflow
    }
    if (amounts != null) {
      for (int i = 0; i < n; i++) {
        amounts[i] = d[i * STRIDE + USED];
      }
    }
    return COUNTED;
  }

  /**
   * Adds {@code amount} for {@code slot} as {@code add(p, slot, amount, true)} does and returns the usage
   * that then counts against {@code slot}, as {@link #usedFor} would.
   */
  private long addForUsage(int p, Slot slot, long amount) {
    add(p, slot, amount, true);
    // A calendar cell's period now ends after the slot's start: it counts.
    return ring(p) != null ? usedFor(p, slot) : data[p * STRIDE + USED];
  }

  /** The position of the cell of {@code charge}'s key, or -1 if there is none; it is usually at {@code hint}. */
  int positionOf(Charge charge, int hint) {
    return find(CounterKeys.find(charge.slot().key()), hint);
  }
}
