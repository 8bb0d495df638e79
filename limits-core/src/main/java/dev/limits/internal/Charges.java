package dev.limits.internal;

import dev.limits.Period;
import dev.limits.Quota;
import dev.limits.spi.Charge;
import dev.limits.spi.ConsumeRequest;
import dev.limits.spi.ConsumeRequest.Mode;
import dev.limits.spi.Slot;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The quotas a request charges, resolved to their current periods: for each charge {@code j}, its quota,
 * period, counter key id, slot and limit, and with several subjects the subject it belongs to. Every quota
 * of a policy charged one amount, the common case, is made once per frame ({@link PeriodCache.Frame#all(long)});
 * others are gathered for the request, with their amounts. Immutable: no array is written after
 * construction.
 */
public final class Charges {

  /** No charges. */
  public static final Charges NONE = new Charges(0, new Quota[0], new Period[0], new int[0], new Slot[0], new long[0],
      null, null, 0, null);

  /** The number of charges. */
  public final int size;
  private final Quota[] quotas;
  private final Period[] periods;
  final int[] keyIds;
  final Slot[] slots;
  final long[] limits;
  private final int @Nullable [] subjectOf; // each charge's subject index; null for one subject
  private final long @Nullable [] amounts; // each charge's amount; null when amount is everyone's
  private final long amount;
  /** The frame whose every quota these are, in order; null otherwise. */
  final PeriodCache.@Nullable Frame frame;

  /**
   * Creates charges; the arrays (of which the first {@code size} entries count) are kept, not copied, and must
   * never be written again.
   *
   * @param subjectOf the index of each charge's subject among the request's subjects, or null for one subject
   * @param amounts   each charge's amount, or null when {@code amount} is every charge's
   * @param amount    every charge's amount when {@code amounts} is null
   * @param frame     the frame whose quotas, all of them in order, these are; else null
   */
  public Charges(int size, Quota[] quotas, Period[] periods, int[] keyIds, Slot[] slots, long[] limits,
      int @Nullable [] subjectOf, long @Nullable [] amounts, long amount, PeriodCache.@Nullable Frame frame) {
    this.size = size;
    this.quotas = quotas;
    this.periods = periods;
    this.keyIds = keyIds;
    this.slots = slots;
    this.limits = limits;
    this.subjectOf = subjectOf;
    this.amounts = amounts;
    this.amount = amount;
    this.frame = frame;
  }

  /** {@return the quota of charge {@code j}} */
  public Quota quota(int j) {
    return quotas[j];
  }

  /** {@return the period of charge {@code j}'s quota} */
  public Period period(int j) {
    return periods[j];
  }

  /** {@return the index of charge {@code j}'s subject among the request's subjects} */
  int subjectOf(int j) {
    int[] of = subjectOf;
    return of == null ? 0 : of[j];
  }

  /** {@return the amount of charge {@code j}} */
  public long amount(int j) {
    long[] a = amounts;
    return a == null ? amount : a[j];
  }

  /** {@return whether every charge counts {@link #amount(int) amount(0)}} */
  boolean uniform() {
    return amounts == null;
  }

  /** {@return the amounts of every charge, in a new array} */
  long[] amounts() {
    long[] a = amounts;
    if (a != null) {
      return Arrays.copyOf(a, size);
    }
    long[] all = new long[size];
    Arrays.fill(all, amount);
    return all;
  }

  /** {@return whether charge {@code j}'s amount fits on top of {@code used}} */
  boolean fits(int j, long used) {
    return Checks.fits(limits[j], amount(j), used);
  }

  /** {@return these charges, in the same periods, with {@code finals} (kept, not copied) as their amounts} */
  public Charges withAmounts(long[] finals) {
    return new Charges(size, quotas, periods, keyIds, slots, limits, subjectOf, finals, 0, null);
  }

  /**
   * {@return the request to a store that carries these charges out in {@code mode} for {@code subjects}
   * (null: {@code subject} alone) at {@code now}}
   */
  ConsumeRequest request(String subject, String @Nullable [] subjects, Mode mode, @Nullable String operationId,
      long expiresAt, long now) {
    List<Charge> list = new ArrayList<>(size);
    for (int j = 0; j < size; j++) {
      list.add(new Charge(subjectOf(j), slots[j], limits[j], amount(j)));
    }
    return subjects == null ? new ConsumeRequest(subject, list, mode, operationId, expiresAt, now)
        : new ConsumeRequest(List.of(subjects), list, mode, operationId, expiresAt, now);
  }
}
