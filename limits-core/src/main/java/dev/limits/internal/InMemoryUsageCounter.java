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
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
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
        result = state.consume(request, SubjectState.ALONE);
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
          return state.settle(request, SubjectState.ALONE);
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
}
