package dev.limits.spi;

import java.util.Arrays;
import java.util.Objects;

/**
 * What a {@link UsageCounter#consume} did: its status, and for each charge the cell's usage and whether the
 * charge fit.
 *
 * <p>{@link #used(int)} is the usage of the charge's cell <em>after</em> the operation: including the
 * charge when it was applied, as it stands otherwise. For a rolling window it is the sum over the buckets
 * that count. Immutable and thread-safe.
 *
 * @see ConsumeRequest
 */
public final class ConsumeResult {

  /** The outcome of a consume. */
  public enum Status {
    /** The charges were counted (or, for {@link ConsumeRequest.Mode#CHECK}, all of them fit). */
    APPLIED(0),
    /** At least one charge did not fit; nothing was counted. */
    DENIED(1),
    /**
     * The operation id was seen before, for a request with the same {@link ConsumeRequest#fingerprint()}: a
     * retry. Nothing was counted again.
     */
    DUPLICATE(2),
    /**
     * The operation id was seen before, for a request with another {@link ConsumeRequest#fingerprint()} (other
     * keys, amounts or mode): the id was reused for a different request. Nothing was counted, and what the id
     * was first used for stays as it was.
     */
    MISMATCH(3);

    private static final Status[] BY_CODE = {APPLIED, DENIED, DUPLICATE, MISMATCH};

    private final int code;

    Status(int code) {
      this.code = code;
    }

    /** {@return the status's stable code, as stores answer it: 0 applied, 1 denied, 2 duplicate, 3 mismatch} */
    public int code() {
      return code;
    }

    /**
     * Returns the status of a code.
     *
     * @param code a code of {@link #code()}
     * @return its status
     * @throws IllegalArgumentException if no status has that code
     */
    public static Status ofCode(int code) {
      if (code < 0 || code >= BY_CODE.length) {
        throw new IllegalArgumentException("no status has code " + code);
      }
      return BY_CODE[code];
    }
  }

  private final Status status;
  private final long[] used;
  private final boolean[] fits;

  private ConsumeResult(Status status, long[] used, boolean[] fits) {
    this.status = status;
    this.used = used;
    this.fits = fits;
  }

  /**
   * Creates a result. The arrays are copied.
   *
   * @param status the outcome
   * @param used   for each charge, its cell's usage after the operation
   * @param fits   for each charge, whether it fit
   * @return the result
   * @throws NullPointerException     if an argument is null
   * @throws IllegalArgumentException if the arrays differ in length
   */
  public static ConsumeResult of(Status status, long[] used, boolean[] fits) {
    Objects.requireNonNull(status, "status");
    if (used.length != fits.length) {
      throw new IllegalArgumentException(
          "used and fits must have one entry per charge, got " + used.length + " and " + fits.length);
    }
    return new ConsumeResult(status, used.clone(), fits.clone());
  }

  /** {@return the outcome} */
  public Status status() {
    return status;
  }

  /** {@return whether the charges were counted now or by an earlier request with the same operation id} */
  public boolean isApplied() {
    return status == Status.APPLIED || status == Status.DUPLICATE;
  }

  /** {@return the number of charges} */
  public int size() {
    return used.length;
  }

  /**
   * The usage of the cell of charge {@code index} after the operation.
   *
   * @param index the charge's position in the request
   * @return the usage
   */
  public long used(int index) {
    return used[index];
  }

  /**
   * Whether charge {@code index} fit.
   *
   * @param index the charge's position in the request
   * @return whether it fit
   */
  public boolean fits(int index) {
    return fits[index];
  }

  @Override
  public String toString() {
    return "ConsumeResult[" + status + ", used=" + Arrays.toString(used) + ", fits=" + Arrays.toString(fits)
        + "]";
  }
}
