package dev.limits.spi;

import dev.limits.LimitsException;

/**
 * A {@link UsageCounter} could not reach or update its storage. Whether the operation took effect is
 * unknown unless it carried an operation id, in which case retrying it is safe.
 *
 * @see dev.limits.Limiter.Builder#failOpen(boolean)
 */
public class StorageException extends LimitsException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception with a message and a cause.
   *
   * @param message what went wrong
   * @param cause   the underlying failure
   */
  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * Creates an exception with a message.
   *
   * @param message what went wrong
   */
  public StorageException(String message) {
    super(message);
  }
}
