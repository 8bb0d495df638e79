package dev.limits.internal;

import dev.limits.spi.ConsumeRequest.Mode;
import dev.limits.spi.UsageCounter;
import org.jspecify.annotations.Nullable;

/** The {@link ConsumeRoute} of any store: one {@link dev.limits.spi.ConsumeRequest} per operation. */
final class StoreRoute implements ConsumeRoute {

  private final UsageCounter counter;

  StoreRoute(UsageCounter counter) {
    this.counter = counter;
  }

  @Override
  public Tally consume(Evaluation e, Mode mode, @Nullable String operationId, long expiresAt) {
    return Tally.of(counter.consume(e.request(mode, operationId, expiresAt)));
  }

  @Override
  public boolean enforce(String subject, Charges charges, long now) {
    return counter.consume(charges.request(subject, null, Mode.ENFORCE, null, 0, now)).isApplied();
  }
}
