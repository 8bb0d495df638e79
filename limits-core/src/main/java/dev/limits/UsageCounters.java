package dev.limits;

import dev.limits.internal.InMemoryUsageCounter;
import dev.limits.spi.UsageCounter;

/**
 * The stores that come with limits-core. A store kept in a database comes from its own module (limits-jdbc);
 * one written by a user implements {@link UsageCounter}.
 *
 * @see Limiter#builder(UsageCounter)
 */
public final class UsageCounters {

  private UsageCounters() {}

  /**
   * Returns a new store that keeps everything in this JVM's memory: for one instance of a chat backend, for
   * tests, and as the reference the other stores are checked against. Usage is lost when the JVM stops.
   * Thread-safe; operations on different subjects never wait for each other.
   *
   * @return a new, empty store
   */
  public static UsageCounter inMemory() {
    return new InMemoryUsageCounter();
  }
}
