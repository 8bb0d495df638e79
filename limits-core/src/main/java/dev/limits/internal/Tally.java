package dev.limits.internal;

import dev.limits.spi.ConsumeResult;
import dev.limits.spi.ConsumeResult.Status;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link ConsumeRoute} answers for an {@link Evaluation}: the store's status, and for each charge its
 * cell's usage and whether it fit, as {@link ConsumeResult} has them. Every route answers with this one
 * value, so that one function turns it into a decision. Immutable: the arrays are never written again.
 */
public final class Tally {

  /** The store's answer. */
  public final Status status;
  private final long[] used;
  private final boolean @Nullable [] fits; // null: every charge fit

  private Tally(Status status, long[] used, boolean @Nullable [] fits) {
    this.status = status;
    this.used = used;
    this.fits = fits;
  }

  /** {@return the tally of {@code result}} */
  static Tally of(ConsumeResult result) {
    int n = result.size();
    long[] used = new long[n];
    boolean[] fits = new boolean[n];
    for (int j = 0; j < n; j++) {
      used[j] = result.used(j);
      fits[j] = result.fits(j);
    }
    return new Tally(result.status(), used, fits);
  }

  /** {@return an applied tally whose charges all fit, with {@code used} (kept, not copied)} */
  static Tally applied(long[] used) {
    return new Tally(Status.APPLIED, used, null);
  }

  /** {@return a denied tally with {@code used} and {@code fits} (kept, not copied)} */
  static Tally denied(long[] used, boolean[] fits) {
    return new Tally(Status.DENIED, used, fits);
  }

  /** {@return whether the charges were counted, now or by an earlier request with the same operation id} */
  public boolean isApplied() {
    return status == Status.APPLIED || status == Status.DUPLICATE;
  }

  /** {@return the usage of charge {@code j}'s cell after the operation (as it stands if not applied)} */
  public long used(int j) {
    return used[j];
  }

  /** {@return whether charge {@code j} fit} */
  public boolean fits(int j) {
    boolean[] f = fits;
    return f == null || f[j];
  }
}
