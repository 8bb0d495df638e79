package dev.limits;

/**
 * The root of the library's exceptions. Unchecked: a denial is an ordinary {@link Decision}, never an
 * exception; these signal misuse ({@link InvalidPolicyException}) or failed storage
 * ({@link dev.limits.spi.StorageException}).
 */
public class LimitsException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception with a message.
   *
   * @param message what went wrong
   */
  public LimitsException(String message) {
    super(message);
  }

  /**
   * Creates an exception with a message and a cause.
   *
   * @param message what went wrong
   * @param cause   the underlying failure
   */
  public LimitsException(String message, Throwable cause) {
    super(message, cause);
  }
}
