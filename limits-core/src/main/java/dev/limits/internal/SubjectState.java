package dev.limits.internal;

import dev.limits.spi.Charge;
import dev.limits.spi.ConsumeRequest;
import dev.limits.spi.ConsumeRequest.Mode;
import dev.limits.spi.ConsumeResult;
import dev.limits.spi.SettleRequest;
import dev.limits.spi.SettleResult;
import dev.limits.spi.Slot;
import dev.limits.spi.UsageCounter;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * One subject of the {@link InMemoryUsageCounter}: its cells ({@link SubjectCells}), the operation ids it
 * remembers, and the lock that guards both ({@link #lock()}, {@link #unlock()}). A request that charges
 * several subjects runs here, on its first subject's state, with the others' states locked beside it.
 */
final class SubjectState extends SubjectCells {
  static final int STEP = 1;
  static final int PURGE_TURN = 2;
  // The other subjects' states of a request that charges one subject only.
  static final SubjectState[] ALONE = new SubjectState[0];
  private static final long[] NO_STARTS = new long[0];

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
  @Nullable HashMap<String, Operation> operations; // most subjects never send an operation id
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
    return (++operationCount & (InMemoryUsageCounter.COUNT_STEP - 1)) == 0 ? STEP : 0;
  }

  private @Nullable Operation operation(String id) {
    HashMap<String, Operation> ops = operations;
    return ops == null ? null : ops.get(id);
  }

  /**
   * The state of subject {@code index} of a request whose subjects' states are {@code states}, or this one
   * (the first subject's) if it has only one ({@link #ALONE}).
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
          applySettlement(op, new long[op.charges.size()], ALONE);
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
