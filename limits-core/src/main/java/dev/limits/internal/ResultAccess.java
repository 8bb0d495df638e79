package dev.limits.internal;

import dev.limits.spi.ConsumeResult;
import org.jspecify.annotations.Nullable;

/**
 * Lets the in-memory counter hand its own arrays to a {@link ConsumeResult} without the copies that the
 * public factory makes for callers who might still write to theirs. {@link ConsumeResult} registers the
 * constructor when its class initializes; the SPI's public API stays as it is.
 */
public final class ResultAccess {

  /** Creates a result that keeps {@code used} and {@code fits}: the caller never writes them again. */
  public interface Factory {
    /**
     * Creates the result.
     *
     * @param status the outcome
     * @param used   for each charge, its cell's usage after the operation
     * @param fits   for each charge, whether it fit
     * @return the result, owning the arrays
     */
    ConsumeResult create(ConsumeResult.Status status, long[] used, boolean[] fits);
  }

  private static volatile @Nullable Factory factory;

  private ResultAccess() {}

  /** Called once by {@link ConsumeResult}'s static initializer. */
  public static void register(Factory f) {
    factory = f;
  }

  /** A result that owns {@code used} and {@code fits}; the caller must never write them again. */
  public static ConsumeResult owning(ConsumeResult.Status status, long[] used, boolean[] fits) {
    Factory f = factory;
    // Until ConsumeResult is initialized, its public factory (which copies) initializes and registers it.
    return f != null ? f.create(status, used, fits) : ConsumeResult.of(status, used, fits);
  }
}
