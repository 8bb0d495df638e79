package dev.limits.testkit;

import dev.limits.spi.ConsumeRequest;
import dev.limits.spi.ConsumeResult;
import dev.limits.spi.SettleRequest;
import dev.limits.spi.SettleResult;
import dev.limits.spi.SlotUsage;
import dev.limits.spi.StorageException;
import dev.limits.spi.UsageCounter;
import java.util.List;
import java.util.Objects;

/**
 * A {@link UsageCounter} whose storage is down: every operation throws a {@link StorageException}, for tests
 * of how an application answers an outage (a 503 from a limiter that fails closed, an allowed call from one
 * that fails open, a health check that reports the store).
 *
 * <pre>{@code
 * Limiter limiter = Limiter.builder(new UnavailableUsageCounter("database down")).build();
 * assertThat(limiter.consume(plan, request)).isUnavailable();   // httpStatus() 503
 * }</pre>
 *
 * <p>The exceptions say the outcome is unknown ({@link StorageException#outcomeUnknown()}), as a connection
 * lost in flight would. Immutable and thread-safe.
 *
 * @see dev.limits.Limiter.Builder#failOpen(boolean)
 */
public final class UnavailableUsageCounter implements UsageCounter {

  private final String message;

  /**
   * Creates a counter whose every operation fails with {@code message}.
   *
   * @param message the message of the exceptions, such as {@code "database down"}
   * @throws NullPointerException if {@code message} is null
   */
  public UnavailableUsageCounter(String message) {
    this.message = Objects.requireNonNull(message, "message");
  }

  /**
   * Always fails.
   *
   * @throws StorageException always
   */
  @Override
  public ConsumeResult consume(ConsumeRequest request) {
    throw new StorageException(message);
  }

  /**
   * Always fails.
   *
   * @throws StorageException always
   */
  @Override
  public SettleResult settle(SettleRequest request) {
    throw new StorageException(message);
  }

  /**
   * Always fails.
   *
   * @throws StorageException always
   */
  @Override
  public List<SlotUsage> snapshot(String subject, long now) {
    throw new StorageException(message);
  }

  /**
   * Always fails.
   *
   * @throws StorageException always
   */
  @Override
  public int purge(long now, int maxItems) {
    throw new StorageException(message);
  }

  @Override
  public String toString() {
    return "UnavailableUsageCounter[" + message + "]";
  }
}
