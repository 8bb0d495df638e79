package dev.limits.internal;

import dev.limits.spi.Charge;
import dev.limits.spi.ConsumeRequest;
import dev.limits.spi.ConsumeRequest.Mode;
import dev.limits.spi.ConsumeResult;
import dev.limits.spi.SettleRequest;
import dev.limits.spi.SettleResult;
import dev.limits.spi.Slot;
import dev.limits.spi.SlotUsage;
import dev.limits.spi.UsageCounter;
import dev.limits.spi.WindowCell;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * A {@link UsageCounter} in this JVM's memory.
 *
 * <p>Each subject's cells sit behind that subject's own lock, so operations on different subjects never
 * wait for each other and an operation on one subject is atomic across all its windows. Memory stays
 * bounded: a cell whose period ended is reset in place when next written, and a bounded purge drops ended
 * cells (a calendar cell once no zone's period can overlap it, see {@link Slot#calendarCellKeptUntil}) and
 * idle subjects and refunds expired reservations after every {@value #PURGE_EVERY} new subjects,
 * every {@value #PURGE_EVERY} operations with an id, and about every {@value #PURGE_EVERY} operations
 * overall, counted per subject in steps of {@value #COUNT_STEP}: what grows memory is a new subject or an
 * operation id, so both are counted exactly, while the common call (no id, a known subject) writes no memory
 * beyond its subject's but once in {@value #COUNT_STEP} calls.
 */
public final class InMemoryUsageCounter implements UsageCounter {

  static final int PURGE_EVERY = 1 << 16;
  static final int PURGE_BATCH = 10_000;
  static final int COUNT_STEP = 64;

  private static final long[] NO_STARTS = new long[0];
  // The states of a request's other subjects when it has only one.
  private static final SubjectState[] NO_STATES = new SubjectState[0];

  private final ConcurrentHashMap<String, SubjectState> subjects = new ConcurrentHashMap<>();
  // Subject states created, for the purge schedule; written only when a subject is new.
  private final AtomicInteger created = new AtomicInteger();
  // Operations with an id, which each remember it until it expires; for the purge schedule.
  private final AtomicInteger identified = new AtomicInteger();
  // Steps of COUNT_STEP operations on one subject; for the purge schedule.
  private final AtomicInteger steps = new AtomicInteger();

  @Override
  public ConsumeResult consume(ConsumeRequest request) {
    Objects.requireNonNull(request, "request");
    if (request.subjects().size() > 1) {
      return consumeSeveral(request);
    }
    while (true) {
      SubjectState state = state(request.subject());
      ConsumeResult result;
      int counted;
      state.lock();
      try {
        if (state.removed) {
          continue;
        }
        result = state.consume(request, NO_STATES);
        counted = state.countOperation();
      } finally {
        state.unlock();
      }
      if (purgeDue(counted, request.operationId() != null)) {
        purge(request.now(), PURGE_BATCH);
      }
      return result;
    }
  }

  /** {@link #consume} of a request that charges several subjects, under all of their locks. */
  private ConsumeResult consumeSeveral(ConsumeRequest request) {
    SubjectState[] states = lockAll(request.subjects());
    ConsumeResult result;
    int counted;
    try {
      result = states[0].consume(request, states);
      counted = states[0].countOperation();
    } finally {
      unlockAll(states);
    }
    if (purgeDue(counted, request.operationId() != null)) {
      purge(request.now(), PURGE_BATCH);
    }
    return result;
  }

  /**
   * Locks the states of {@code names} in the global order (by {@link String#compareTo}), so that two
   * operations sharing subjects never wait for each other in a cycle; returns them by position in
   * {@code names}. A state that a purge removed meanwhile is replaced: then every lock is released and taken
   * again.
   */
  private SubjectState[] lockAll(List<String> names) {
    int n = names.size();
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      int j = i;
      for (; j > 0 && names.get(order[j - 1]).compareTo(names.get(i)) > 0; j--) {
        order[j] = order[j - 1];
      }
      order[j] = i;
    }
    SubjectState[] states = new SubjectState[n];
    while (true) {
      int locked = 0;
      for (; locked < n; locked++) {
        int s = order[locked];
        SubjectState state = state(names.get(s));
        state.lock();
        if (state.removed) {
          state.unlock();
          break;
        }
        states[s] = state;
      }
      if (locked == n) {
        return states;
      }
      for (int k = 0; k < locked; k++) {
        states[order[k]].unlock();
      }
    }
  }

  private static void unlockAll(SubjectState[] states) {
    for (SubjectState state : states) {
      state.unlock();
    }
  }

  /**
   * The limiter's fast path: {@link Mode#ENFORCE} without an operation id, on charges resolved to key ids
   * once per period. Charge {@code i} counts {@code amounts[i]} in the cell {@code keyIds[i]} for
   * {@code slots[i]} within {@code limits[i]}, for {@code i < n}; all or nothing, exactly as
   * {@link #consume} does. One array in and out, so that a call allocates nothing here.
   *
   * @param frame   the policy's frame when {@code keyIds} and {@code slots} are its key ids and slots in order
   *                (and {@code n} their length), so that the cells need not be matched to them again; else
   *                null
   * @param amounts the amount of each charge; on return, each cell's usage after the operation (as it
   *                stands if denied)
   * @return whether every charge fit and was counted
   */
  public boolean enforce(String subject, @Nullable Object frame, int[] keyIds, Slot[] slots, long[] limits,
      long[] amounts, int n, long now) {
    return enforce(subject, frame, keyIds, slots, limits, amounts, 0, n, now);
  }

  /**
   * {@link #enforce} of one amount charged by every quota of a policy, {@code keyIds} and {@code frame}
   * being its key ids and current frame, without reporting usage: the allocation-free path of
   * {@code Limiter.tryConsume}.
   */
  public boolean tryEnforce(String subject, int[] keyIds, PeriodCache.Frame frame, long[] limits, long amount,
      long now) {
    return enforce(subject, frame, keyIds, frame.slots(), limits, null, amount, keyIds.length, now);
  }

  private boolean enforce(String subject, @Nullable Object frame, int[] keyIds, Slot[] slots, long[] limits,
      long @Nullable [] amounts, long amount, int n, long now) {
    while (true) {
      SubjectState state = state(subject);
      boolean fit;
      int counted;
      state.lock();
      try {
        if (state.removed) {
          continue;
        }
        fit = state.enforce(frame, keyIds, slots, limits, amounts, amount, n);
        counted = state.countOperation();
      } finally {
        state.unlock();
      }
      if (purgeDue(counted, false)) {
        purge(now, PURGE_BATCH);
      }
      return fit;
    }
  }

  /**
   * Whether an operation brings the purge, after its subject's {@link SubjectState#countOperation}, and
   * {@code withId} if it had an operation id.
   */
  private boolean purgeDue(int counted, boolean withId) {
    boolean due = counted == SubjectState.PURGE_TURN
        || counted == SubjectState.STEP && (steps.incrementAndGet() & (PURGE_EVERY / COUNT_STEP - 1)) == 0;
    if (withId) {
      due |= (identified.incrementAndGet() & (PURGE_EVERY - 1)) == 0;
    }
    return due;
  }

  private SubjectState state(String subject) {
    SubjectState state = subjects.get(subject); // no allocation, no lock on the common path
    if (state != null) {
      return state;
    }
    SubjectState fresh = new SubjectState();
    if ((created.incrementAndGet() & (PURGE_EVERY - 1)) == 0) {
      // The purge runs after the new subject's first operation, so that it does not drop the subject while
      // it is still empty; set before the state is shared. (Should another thread's state for the subject
      // win the race below, this round of the schedule is skipped.)
      fresh.purgeTurn = true;
    }
    state = subjects.putIfAbsent(subject, fresh);
    return state != null ? state : fresh;
  }

  @Override
  public SettleResult settle(SettleRequest request) {
    Objects.requireNonNull(request, "request");
    while (true) {
      SubjectState state = subjects.get(request.subject());
      if (state == null) {
        return SettleResult.NOT_FOUND;
      }
      List<String> several;
      state.lock();
      try {
        if (state.removed) {
          return SettleResult.NOT_FOUND;
        }
        several = state.severalSubjectsOf(request.operationId());
        if (several == null) {
          return state.settle(request, NO_STATES);
        }
      } finally {
        state.unlock();
      }
      // A reservation over several subjects: their locks are taken in the global order, the owner's again.
      SubjectState[] states = lockAll(several);
      try {
        if (states[0].severalSubjectsOf(request.operationId()) == several) {
          return states[0].settle(request, states);
        }
        // Settled and forgotten meanwhile (or its id reused): look again.
      } finally {
        unlockAll(states);
      }
    }
  }

  @Override
  public List<SlotUsage> snapshot(String subject, long now) {
    ConsumeRequest.requireSubject(subject);
    SubjectState state = subjects.get(subject);
    if (state == null) {
      return List.of();
    }
    state.lock();
    try {
      List<SlotUsage> result = new ArrayList<>();
      for (int p = 0; p < state.size; p++) {
        if (!state.expiredAt(p, now)) {
          result.add(new SlotUsage(CounterKeys.name(state.keyAt(p)), state.newestStart(p), state.usedAt(p, now)));
        }
      }
      return result;
    } finally {
      state.unlock();
    }
  }

  @Override
  public int purge(long now, int maxItems) {
    Checks.requireArgument(maxItems >= 1, "maxItems must be at least 1, got %s", maxItems);
    int handled = 0;
    List<Operation> expired = new ArrayList<>(0);
    for (Iterator<Map.Entry<String, SubjectState>> it = subjects.entrySet().iterator();
         it.hasNext() && handled < maxItems; ) {
      Map.Entry<String, SubjectState> entry = it.next();
      SubjectState state = entry.getValue();
      state.lock();
      try {
        handled += state.purge(now, maxItems - handled, expired);
        if (state.isEmpty()) {
          // Not an item of the purge contract: counting it could report more than maxItems.
          state.removed = true;
          // Only this state: a concurrent purge may already have removed it and a consume put a new one in
          // its place, which Iterator.remove() would drop with its usage.
          subjects.remove(entry.getKey(), state);
        }
      } finally {
        state.unlock();
      }
      for (Operation op : expired) {
        refundExpired(op, now);
      }
      expired.clear();
    }
    return handled;
  }

  /**
   * Refunds an expired reservation over several subjects that {@link SubjectState#purge} left for this, under
   * all of their locks, unless it was settled meanwhile; then forgets its id.
   */
  private void refundExpired(Operation op, long now) {
    List<String> names = Objects.requireNonNull(op.subjects, "only a reservation over several subjects");
    SubjectState[] states = lockAll(names);
    try {
      states[0].forgetExpired(op, now, states);
    } finally {
      unlockAll(states);
    }
  }

  /** The number of subjects currently held; for tests of bounded memory. */
  public int subjectCount() {
    return subjects.size();
  }

  /**
   * The cells and operations of one subject; guarded by its own lock ({@link #lock()}, {@link #unlock()}).
   *
   * <p>All cells of a subject sit in one array, {@value #STRIDE} longs each: the {@link CounterKeys} id of
   * its key, then for a calendar or lifetime cell (lookback 0) the cell in {@link WindowCell}'s layout (its
   * period's start and end, and its usage). A rolling cell keeps its ring of buckets in an array of its own at
   * the same position of {@code rings}: the bucket length and the lookback, then the cell in
   * {@link WindowCell}'s layout. Spread over many subjects, what an operation pays for is cache misses: here
   * the subject's state and the few cache lines of its cells, and a charge finds its cell at its own position
   * in the request, where it was created.
   */
  private static final class SubjectState {
    static final int STRIDE = 4;
    static final int CELL = 1; // where a calendar cell starts after its key id
    static final int START = CELL + WindowCell.START;
    static final int USED = CELL + WindowCell.USED;
    // A rolling cell's array: its bucket length, its lookback, then the cell.
    static final int RING_LENGTH = 0;
    static final int RING_LOOKBACK = 1;
    static final int RING_CELL = 2;
    static final int CAPACITY = 8; // cells of a new subject
    static final int STEP = 1;
    static final int PURGE_TURN = 2;

    private static final VarHandle LOCK;
    private static final int SPINS = 100;
    private static final int YIELDS = 10;

    static {
      try {
        LOCK = MethodHandles.lookup().findVarHandle(SubjectState.class, "locked", int.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    @SuppressWarnings("unused") // through LOCK: 1 while a thread holds this state, else 0
    private int locked;
    int operationCount; // for the purge schedule
    boolean purgeTurn; // whether its next operation brings the purge
    long[] data = new long[CAPACITY * STRIDE];
    long @Nullable [] @Nullable [] rings; // only once the subject has a rolling cell
    int size;
    @Nullable HashMap<String, Operation> operations; // most subjects never send an operation id
    // A frame whose key ids and slots the cells at positions 0 to n - 1 were found to match (see plainAdd);
    // forgotten when a cell moves or starts a new period.
    @Nullable Object plainFrame;
    boolean removed;

    /**
     * Acquires this state's lock. Critical sections are short and never wait for anything (the common one,
     * {@link #enforce}, is a few dozen instructions), so one compare-and-set usually takes it, where a monitor
     * costs one to enter and another to exit; a waiting thread spins briefly, then yields its processor (the
     * holder may have been descheduled), then sleeps in short naps so that many waiting threads do not burn
     * the machine.
     */
    void lock() {
      if (!LOCK.compareAndSet(this, 0, 1)) {
        lockContended();
      }
    }

    private void lockContended() {
      for (int attempt = 0; ; attempt++) {
        if ((int) LOCK.getOpaque(this) == 0 && LOCK.compareAndSet(this, 0, 1)) {
          return;
        }
        if (attempt < SPINS) {
          Thread.onSpinWait();
        } else if (attempt < SPINS + YIELDS) {
          Thread.yield();
        } else {
          LockSupport.parkNanos(10_000);
          attempt = SPINS + YIELDS; // napping from now on, however long it takes
        }
      }
    }

    /** Releases the lock: everything written while holding it is seen by the next thread to acquire it. */
    void unlock() {
      LOCK.setRelease(this, 0);
    }

    /**
     * Counts one operation: {@link #PURGE_TURN} if it brings the purge, {@link #STEP} if it completes a step
     * of {@value InMemoryUsageCounter#COUNT_STEP} on this subject, 0 otherwise.
     */
    int countOperation() {
      if (purgeTurn) {
        purgeTurn = false;
        return PURGE_TURN;
      }
      return (++operationCount & (COUNT_STEP - 1)) == 0 ? STEP : 0;
    }

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

    private @Nullable Operation operation(String id) {
      HashMap<String, Operation> ops = operations;
      return ops == null ? null : ops.get(id);
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

    /**
     * The state of subject {@code index} of a request whose subjects' states are {@code states}, or this one
     * (the first subject's) if it has only one ({@link #NO_STATES}).
     */
    private SubjectState of(int index, SubjectState[] states) {
      return index == 0 ? this : states[index];
    }

    /**
     * Carries out {@code request} on this state, its first subject's, and for a request with several subjects
     * on {@code states} (by subject index, this one first), all of them locked.
     */
    ConsumeResult consume(ConsumeRequest request, SubjectState[] states) {
      List<Charge> charges = request.charges();
      int n = charges.size();
      String id = request.operationId();
      Operation seen = id == null ? null : operation(id);
      if (seen != null) {
        return duplicate(charges, states, seen.fingerprint == request.fingerprint()
            ? ConsumeResult.Status.DUPLICATE : ConsumeResult.Status.MISMATCH);
      }
      Mode mode = request.mode();
      boolean writes = mode != Mode.CHECK && mode != Mode.REFUND;
      int[] ids = new int[n];
      long[] used = new long[n];
      boolean[] fits = new boolean[n];
      boolean allFit = true;
      for (int i = 0; i < n; i++) {
        Charge charge = charges.get(i);
        // A cell whose period ended stays until a write resets it or purge drops it: a read in a later period
        // must not reset it, since an instance with a lagging clock may still count against that period.
        String key = charge.slot().key();
        ids[i] = writes ? CounterKeys.id(key) : CounterKeys.find(key);
        SubjectState state = of(charge.subject(), states);
        int p = state.find(ids[i], i);
        long current = p < 0 ? 0 : state.usedFor(p, charge.slot());
        used[i] = current;
        fits[i] = charge.fits(current);
        allFit &= fits[i];
      }
      if (mode == Mode.CHECK) {
        ConsumeResult.Status status = allFit ? ConsumeResult.Status.APPLIED : ConsumeResult.Status.DENIED;
        return ConsumeResult.of(status, used, fits);
      }
      if (!allFit && (mode == Mode.ENFORCE || mode == Mode.RESERVE)) {
        return ConsumeResult.of(ConsumeResult.Status.DENIED, used, fits);
      }
      long[] chargedStarts = id == null ? NO_STARTS : new long[n]; // only an operation remembers them
      for (int i = 0; i < n; i++) {
        Charge charge = charges.get(i);
        Slot slot = charge.slot();
        SubjectState state = of(charge.subject(), states);
        int p = state.find(ids[i], i);
        if (mode == Mode.REFUND) {
          if (p >= 0) {
            state.subtract(p, slot.start(), charge.amount());
            used[i] = state.usedFor(p, slot);
          }
          continue;
        }
        if (p < 0) {
          p = state.newCell(ids[i], slot);
        }
        long start = state.add(p, slot, charge.amount(), mode != Mode.FORCE);
        if (id != null) {
          chargedStarts[i] = start;
        }
        used[i] = state.usedFor(p, slot);
      }
      if (id != null) {
        HashMap<String, Operation> ops = operations;
        if (ops == null) {
          ops = new HashMap<>(4);
          operations = ops;
        }
        boolean reserves = mode == Mode.RESERVE;
        ops.put(id, new Operation(id, request.expiresAt(), request.fingerprint(), reserves ? charges : null,
            reserves && states.length > 1 ? request.subjects() : null, chargedStarts));
      }
      return ConsumeResult.of(ConsumeResult.Status.APPLIED, used, fits);
    }

    private int positionOf(Charge charge, int hint) {
      return find(CounterKeys.find(charge.slot().key()), hint);
    }

    /** Answers a request whose id was seen before: {@code status} with the cells' usage as it stands. */
    private ConsumeResult duplicate(List<Charge> charges, SubjectState[] states, ConsumeResult.Status status) {
      int n = charges.size();
      long[] used = new long[n];
      boolean[] fits = new boolean[n];
      for (int i = 0; i < n; i++) {
        SubjectState state = of(charges.get(i).subject(), states);
        int p = state.positionOf(charges.get(i), i);
        used[i] = p < 0 ? 0 : state.usedFor(p, charges.get(i).slot());
        fits[i] = true;
      }
      return ConsumeResult.of(status, used, fits);
    }

    /**
     * The subjects of the reservation {@code id} if it charges several (the very list its request held), or
     * null if it charges this subject only or there is no such reservation.
     */
    @Nullable List<String> severalSubjectsOf(String id) {
      Operation op = operation(id);
      return op == null ? null : op.subjects;
    }

    /**
     * Settles a reservation of this subject; {@code states} are its subjects' states, locked, if it has
     * several ({@link #severalSubjectsOf}).
     */
    SettleResult settle(SettleRequest request, SubjectState[] states) {
      Operation op = operation(request.operationId());
      if (op == null || op.charges == null) {
        return SettleResult.NOT_FOUND;
      }
      if (op.settled) {
        return op.cancelled ? SettleResult.CANCELLED : SettleResult.ALREADY_SETTLED;
      }
      Checks.requireArgument(request.size() == op.charges.size(),
          "reservation '%s' has %s charges, got %s final amounts",
          request.operationId(), op.charges.size(), request.size());
      long[] finals = new long[request.size()];
      for (int i = 0; i < finals.length; i++) {
        finals[i] = request.finalAmount(i);
      }
      applySettlement(op, finals, states);
      op.cancelled = request.isCancel();
      return SettleResult.SETTLED;
    }

    private void applySettlement(Operation op, long[] finals, SubjectState[] states) {
      List<Charge> charges = Objects.requireNonNull(op.charges, "only a reservation is settled");
      for (int i = 0; i < finals.length; i++) {
        Charge charge = charges.get(i);
        SubjectState state = of(charge.subject(), states);
        int p = state.positionOf(charge, i);
        if (p < 0) {
          continue;
        }
        long delta = finals[i] - charge.amount();
        if (delta > 0) {
          state.addToBucket(p, op.chargedStarts[i], delta);
        } else if (delta < 0) {
          state.subtract(p, op.chargedStarts[i], -delta);
        }
      }
      op.settled = true;
    }

    /**
     * Drops what {@link UsageCounter#purge} drops of this subject, at most {@code max} items. An expired
     * reservation over several subjects is left in {@code several}, counted, for the caller to refund under
     * all of their locks ({@link #forgetExpired}).
     */
    int purge(long now, int max, List<Operation> several) {
      int handled = 0;
      // Downwards: remove() moves the last cell, already seen, into the place of the removed one.
      for (int p = size - 1; p >= 0 && handled < max; p--) {
        if (droppableAt(p, now)) {
          remove(p);
          handled++;
        }
      }
      HashMap<String, Operation> ops = operations;
      if (ops == null) {
        return handled;
      }
      for (Iterator<Operation> it = ops.values().iterator(); it.hasNext() && handled < max; ) {
        Operation op = it.next();
        if (op.expiresAt < now) {
          if (op.subjects != null && !op.settled) {
            several.add(op);
            handled++;
            continue;
          }
          if (op.charges != null && !op.settled) {
            applySettlement(op, new long[op.charges.size()], NO_STATES);
          }
          it.remove();
          handled++;
        }
      }
      if (ops.isEmpty()) {
        operations = null;
      }
      return handled;
    }

    /**
     * Refunds the expired reservation {@code op} of this subject over {@code states}, its subjects' states,
     * locked, and forgets its id; unless it was settled or forgotten meanwhile.
     */
    void forgetExpired(Operation op, long now, SubjectState[] states) {
      HashMap<String, Operation> ops = operations;
      if (ops == null || ops.get(op.id) != op || op.expiresAt >= now) {
        return;
      }
      if (!op.settled) {
        applySettlement(op, new long[Objects.requireNonNull(op.charges).size()], states);
      }
      ops.remove(op.id);
      if (ops.isEmpty()) {
        operations = null;
      }
    }

    boolean isEmpty() {
      return size == 0 && operations == null;
    }
  }

  /**
   * A remembered operation id with the {@link ConsumeRequest#fingerprint()} of its request; for reservations,
   * the charges and the bucket each was counted in.
   */
  private static final class Operation {
    final String id;
    final long expiresAt;
    final long fingerprint;
    final @Nullable List<Charge> charges;
    // A reservation's subjects if it charges several, the first its owner's; null otherwise.
    final @Nullable List<String> subjects;
    final long[] chargedStarts;
    boolean settled;
    boolean cancelled; // settled with every final amount zero

    Operation(String id, long expiresAt, long fingerprint, @Nullable List<Charge> charges, @Nullable List<String> subjects,
        long[] chargedStarts) {
      this.id = id;
      this.expiresAt = expiresAt;
      this.fingerprint = fingerprint;
      this.charges = charges;
      this.subjects = subjects;
      this.chargedStarts = chargedStarts;
    }
  }
}
