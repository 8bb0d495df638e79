package dev.limits.testkit;

import dev.limits.UsageCounters;
import dev.limits.spi.UsageCounter;

/** Runs the contract suite against the in-memory store. */
class InMemoryUsageCounterContractTest extends UsageCounterContract {

  @Override
  protected UsageCounter createCounter() {
    return UsageCounters.inMemory();
  }
}
