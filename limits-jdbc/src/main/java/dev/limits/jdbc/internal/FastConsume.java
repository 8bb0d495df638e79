package dev.limits.jdbc.internal;

import dev.limits.jdbc.internal.CellRows.CellKey;
import dev.limits.spi.Charge;
import dev.limits.spi.ConsumeRequest;
import dev.limits.spi.ConsumeResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The client side of the PostgreSQL function {@code counter_consume_fast}: one consume, or a batch of them
 * run one after another in the order given, reduced to one entry per cell (subject, key) with the slot all
 * of the cell's charges use, their total amount, and the cell's room, the most usage the cell may have now
 * for every charge to fit in turn.
 *
 * <p>Charge {@code j} of a cell, after the earlier ones of the same cell have added {@code before}, fits
 * (the rule of {@code Charge.fits}) if {@code used + before + amount <= limit}, or, for an amount of 0,
 * {@code used + before < limit}; so every charge fits in turn exactly if the cell's usage is at most the
 * least of {@code limit - before - amount} (or {@code limit - before - 1}), and then each request is applied
 * in turn and the cell ends with its usage plus the total. A room below zero means that a charge cannot fit
 * at any usage.
 */
public final class FastConsume {

  private final List<ConsumeRequest> requests;
  private final String[] subjects;
  private final String[] keys;
  private final long[] starts;
  private final long[] ends;
  private final long[] totals;
  private final long[] rooms;
  private final int[] cellOf; // per charge, requests one after another: the index of its cell

  private FastConsume(List<ConsumeRequest> requests, int cells, String[] subjects, String[] keys, long[] starts,
      long[] ends, long[] totals, long[] rooms, int[] cellOf) {
    this.requests = requests;
    // sized per charge; trimmed only when some cell took several charges (never for one request)
    boolean trim = cells < subjects.length;
    this.subjects = trim ? Arrays.copyOf(subjects, cells) : subjects;
    this.keys = trim ? Arrays.copyOf(keys, cells) : keys;
    this.starts = trim ? Arrays.copyOf(starts, cells) : starts;
    this.ends = trim ? Arrays.copyOf(ends, cells) : ends;
    this.totals = trim ? Arrays.copyOf(totals, cells) : totals;
    this.rooms = trim ? Arrays.copyOf(rooms, cells) : rooms;
    this.cellOf = cellOf;
  }

  /** Whether a request is for the function: an ENFORCE without an operation id, lookback 0, some charge. */
  public static boolean applies(ConsumeRequest request) {
    if (request.mode() != ConsumeRequest.Mode.ENFORCE || request.operationId() != null
        || request.charges().isEmpty()) {
      return false;
    }
    for (Charge charge : request.charges()) {
      if (charge.slot().lookback() != 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * Reduces {@code requests} to cells, or answers null if they are not for the function: a request that
   * does not {@linkplain #applies apply}, a cell charged for two different slots, or a cell whose total
   * passes {@code Long.MAX_VALUE} (no limit can take it).
   */
  public static @Nullable FastConsume of(List<ConsumeRequest> requests) {
    int charges = 0;
    for (ConsumeRequest request : requests) {
      if (!applies(request)) {
        return null;
      }
      charges += request.charges().size();
    }
    String[] subjects = new String[charges];
    String[] keys = new String[charges];
    long[] starts = new long[charges];
    long[] ends = new long[charges];
    long[] totals = new long[charges];
    long[] rooms = new long[charges];
    int[] cellOf = new int[charges];
    // one request's (subject, key) pairs are distinct: its charges are its cells, in its order
    Map<CellKey, Integer> index = requests.size() == 1 ? Map.of() : new HashMap<>();
    int cells = 0;
    int k = 0;
    for (ConsumeRequest request : requests) {
      for (int i = 0; i < request.charges().size(); i++) {
        Charge charge = request.charges().get(i);
        String subject = request.subjectOf(i);
        String key = charge.slot().key();
        Integer found = requests.size() == 1 ? null : index.putIfAbsent(new CellKey(subject, key), cells);
        int cell;
        if (found == null) {
          cell = cells++;
          subjects[cell] = subject;
          keys[cell] = key;
          starts[cell] = charge.slot().start();
          ends[cell] = charge.slot().end();
          rooms[cell] = Long.MAX_VALUE;
        } else {
          cell = found;
          if (starts[cell] != charge.slot().start() || ends[cell] != charge.slot().end()) {
            return null;
          }
        }
        long before = totals[cell];
        long amount = charge.amount();
        long left = charge.limit() - before; // both within [0, Long.MAX_VALUE]: no overflow
        long room = amount == 0 ? (left >= 1 ? left - 1 : -1) : (left >= amount ? left - amount : -1);
        rooms[cell] = Math.min(rooms[cell], room);
        if (before > Long.MAX_VALUE - amount) {
          return null;
        }
        totals[cell] = before + amount;
        cellOf[k++] = cell;
      }
    }
    return new FastConsume(requests, cells, subjects, keys, starts, ends, totals, rooms, cellOf);
  }

  /** {@return the number of cells} */
  public int cells() {
    return subjects.length;
  }

  /** {@return the parameters of the function, in its order} */
  public Object[] parameters() {
    return new Object[] {subjects, keys, starts, ends, totals, rooms};
  }

  /** Whether every request has a charge that does not fit at the cells' usage {@code used}. */
  private boolean noneFits(long[] used) {
    int k = 0;
    for (ConsumeRequest request : requests) {
      boolean fits = true;
      for (Charge charge : request.charges()) {
        fits &= charge.fits(used[cellOf[k++]]);
      }
      if (fits) {
        return false;
      }
    }
    return true;
  }

  /**
   * The requests' results from the function's answer {@code [status, used_1, ...]} (or {@code [NULL]}), or
   * null when the function wrote nothing and the general function must run: a NULL status,
   * or a cell without room in a batch of more than one request of which some would fit alone at the usage
   * read (the general function then tells which requests fit in turn). A single request without room, and
   * a batch none of whose requests would fit alone, are answered here: denied, each as the general function
   * would answer it (no request of such a batch fits after others that did not fit either).
   *
   * @throws IllegalStateException if the answer does not have one usage per cell
   */
  public @Nullable List<ConsumeResult> results(@Nullable Object[] answer) {
    Object status = answer.length == 0 ? null : answer[0];
    if (status == null) {
      return null;
    }
    if (answer.length != cells() + 1) {
      throw new IllegalStateException("fast consume answered " + (answer.length - 1) + " cells for " + cells());
    }
    long[] used = new long[cells()];
    for (int c = 0; c < used.length; c++) {
      used[c] = ((Number) Objects.requireNonNull(answer[c + 1], "usage")).longValue();
    }
    boolean applied = ((Number) status).intValue() == 0;
    if (!applied && requests.size() > 1 && !noneFits(used)) {
      return null;
    }
    List<ConsumeResult> results = new ArrayList<>(requests.size());
    int k = 0;
    for (ConsumeRequest request : requests) {
      int n = request.charges().size();
      long[] after = new long[n];
      boolean[] fits = new boolean[n];
      for (int i = 0; i < n; i++) {
        int cell = cellOf[k++];
        if (applied) {
          used[cell] += request.charges().get(i).amount(); // within the limit: no overflow
          fits[i] = true;
        } else {
          fits[i] = request.charges().get(i).fits(used[cell]);
        }
        after[i] = used[cell];
      }
      results.add(ConsumeResult.of(applied ? ConsumeResult.Status.APPLIED : ConsumeResult.Status.DENIED,
          after, fits));
    }
    return results;
  }
}
