package dev.limits.internal;

import dev.limits.spi.ConsumeRequest.Mode;
import org.jspecify.annotations.Nullable;

/**
 * The {@link ConsumeRoute} of the in-memory counter. An enforce of one subject without an operation id, the
 * common call, goes straight to the counter's cells with the charges' arrays (for a policy's quotas in order,
 * its precompiled frame): no {@link dev.limits.spi.ConsumeRequest}, no {@link dev.limits.spi.ConsumeResult},
 * and for {@link #enforce} of charges the policy precompiled nothing allocated at all. Everything else (a
 * check, an operation id, several subjects) takes the store's ordinary route.
 */
final class InMemoryRoute implements ConsumeRoute {

  private final InMemoryUsageCounter memory;
  private final StoreRoute store;

  InMemoryRoute(InMemoryUsageCounter memory, StoreRoute store) {
    this.memory = memory;
    this.store = store;
  }

  @Override
  public Tally consume(Evaluation e, Mode mode, @Nullable String operationId, long expiresAt) {
    if (mode != Mode.ENFORCE || operationId != null || e.severalSubjects()) {
      return store.consume(e, mode, operationId, expiresAt);
    }
    Charges c = e.charges;
    long[] used = c.amounts(); // in: the amounts; out: each cell's usage
    if (memory.enforce(e.subject, c.frame, c.keyIds, c.slots, c.limits, used, c.size, e.millis)) {
      return Tally.applied(used);
    }
    boolean[] fits = new boolean[c.size];
    for (int j = 0; j < fits.length; j++) {
      fits[j] = c.fits(j, used[j]);
    }
    return Tally.denied(used, fits);
  }

  @Override
  public boolean enforce(String subject, Charges c, long now) {
    PeriodCache.Frame frame = c.frame;
    if (frame != null && c.uniform()) {
      return memory.tryEnforce(subject, c.keyIds, frame, c.limits, c.amount(0), now);
    }
    return memory.enforce(subject, frame, c.keyIds, c.slots, c.limits, c.amounts(), c.size, now);
  }
}
