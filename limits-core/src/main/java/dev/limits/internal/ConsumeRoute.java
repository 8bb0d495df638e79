package dev.limits.internal;

import dev.limits.spi.ConsumeRequest;
import dev.limits.spi.ConsumeRequest.Mode;
import dev.limits.spi.UsageCounter;
import org.jspecify.annotations.Nullable;

/**
 * The one way the limiter reaches its counter: an {@link Evaluation} goes in, a {@link Tally} comes out.
 * Chosen once, when a limiter is built ({@link #to}): a store's {@link UsageCounter#consume} in general, or
 * for the in-memory counter a route that skips building a {@link ConsumeRequest} where it can. Both answer
 * alike; the limiter never knows which it has.
 */
public interface ConsumeRoute {

  /** {@return the route to {@code counter}} */
  static ConsumeRoute to(UsageCounter counter) {
    StoreRoute store = new StoreRoute(counter);
    return counter instanceof InMemoryUsageCounter ? new InMemoryRoute((InMemoryUsageCounter) counter, store)
        : store;
  }

  /**
   * Carries out the charges of {@code e} in {@code mode}, as one {@link ConsumeRequest} with
   * {@code operationId} and {@code expiresAt} would.
   *
   * @param e the evaluation, with at least one charge
   * @return the answer
   * @throws dev.limits.spi.StorageException if the counter failed
   */
  Tally consume(Evaluation e, Mode mode, @Nullable String operationId, long expiresAt);

  /**
   * Counts {@code charges} of one {@code subject} at {@code now} (epoch milliseconds), as {@link Mode#ENFORCE}
   * without an operation id does, answering only whether they were counted: what a caller that needs no
   * decision asks, with nothing but the charges (precompiled, in the common case) to pass.
   *
   * @param charges at least one charge, all of {@code subject}
   * @return whether every charge fit and was counted
   * @throws dev.limits.spi.StorageException if the counter failed
   */
  boolean enforce(String subject, Charges charges, long now);
}
