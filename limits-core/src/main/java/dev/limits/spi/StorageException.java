package dev.limits.spi;

import dev.limits.LimitsException;

/**
 * A {@link UsageCounter} could not reach or update its storage. {@link #outcomeUnknown()} tells whether the
 * operation may have taken effect all the same (the connection broke while it was on its way, say) or
 * surely did not (the database said it rolled it back, or it was never sent). An operation that carried an
 * operation id is safe to retry either way: a retry of one that had taken effect answers
 * {@link ConsumeResult.Status#DUPLICATE}.
 *
 * @see dev.limits.Limiter.Builder#failOpen(boolean)
 * @see dev.limits.Decision#outcomeUnknown()
 */
public class StorageException extends LimitsException {

  private static final long serialVersionUID = 1L;

  /** Whether the operation may have taken effect. */
  private final boolean outcomeUnknown;

  /**
   * Creates an exception with a message and a cause, for an operation that may have taken effect.
   *
   * @param message what went wrong
   * @param cause   the underlying failure
   */
  public StorageException(String message, Throwable cause) {
    this(message, cause, true);
  }

  /**
   * Creates an exception with a message, for an operation that may have taken effect.
   *
   * @param message what went wrong
   */
  public StorageException(String message) {
    super(message);
    this.outcomeUnknown = true;
  }

  /**
   * Creates an exception with a message, a cause, and whether the operation may have taken effect.
   *
   * @param message        what went wrong
   * @param cause          the underlying failure
   * @param outcomeUnknown true if the operation may have taken effect, false if it surely did not
   */
  public StorageException(String message, Throwable cause, boolean outcomeUnknown) {
    super(message, cause);
    this.outcomeUnknown = outcomeUnknown;
  }

  /**
   * Whether the failed operation may have taken effect: true when it was on its way to storage when the
   * failure came and storage did not say that it rolled it back (a consume may have been counted, a
   * settle may have been applied); false when it surely changed nothing. The constructors without this
   * flag answer true, the safe assumption.
   *
   * @return true if the outcome is unknown, false if nothing was changed
   */
  public boolean outcomeUnknown() {
    return outcomeUnknown;
  }
}
