package dev.limits.spi;

import java.util.Objects;

/**
 * Settles a reservation made by a {@link ConsumeRequest.Mode#RESERVE} request to its final amounts.
 *
 * <p>For each charge of the reservation, in its order, the difference between the final and the reserved
 * amount is added to (or taken from) the period that was charged, if the cell is still in that period;
 * a final amount above the estimate is counted even past the limit (the usage already happened). With
 * {@code finalAmounts} all zero the reservation is cancelled ({@link #isCancel()}).
 *
 * @param subject      the subject of the reservation
 * @param operationId  the reservation's operation id
 * @param finalAmounts one final amount per charge of the reservation, each zero or more
 * @param now          the caller's current time, epoch milliseconds
 * @see UsageCounter#settle
 */
public record SettleRequest(String subject, String operationId, long[] finalAmounts, long now) {

  /**
   * Creates a settle request. The array is copied.
   *
   * @param subject      the subject of the reservation
   * @param operationId  the reservation's operation id
   * @param finalAmounts one final amount per charge of the reservation, each zero or more
   * @param now          the caller's current time, epoch milliseconds
   * @throws NullPointerException     if an argument is null
   * @throws IllegalArgumentException if the subject or operation id is malformed, or an amount is negative
   */
  public SettleRequest {
    ConsumeRequest.requireSubject(subject);
    ConsumeRequest.requireOperationId(operationId);
    finalAmounts = Objects.requireNonNull(finalAmounts, "finalAmounts").clone();
    for (long amount : finalAmounts) {
      if (amount < 0) {
        throw new IllegalArgumentException("final amount must not be negative, got " + amount);
      }
    }
  }

  /** {@return a copy of the final amounts} */
  @Override
  public long[] finalAmounts() {
    return finalAmounts.clone();
  }

  /**
   * Returns the final amount of charge {@code index}.
   *
   * @param index the charge's position in the reservation
   * @return the final amount
   */
  public long finalAmount(int index) {
    return finalAmounts[index];
  }

  /**
   * Whether this settlement cancels the reservation: every final amount is zero. A store remembers it, so
   * that a later settle answers {@link SettleResult#CANCELLED} rather than {@link SettleResult#ALREADY_SETTLED}.
   *
   * @return whether every final amount is zero
   */
  public boolean isCancel() {
    for (long amount : finalAmounts) {
      if (amount != 0) {
        return false;
      }
    }
    return true;
  }

  /** {@return the number of final amounts} */
  public int size() {
    return finalAmounts.length;
  }
}
