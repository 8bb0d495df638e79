package dev.limits.redis;

import dev.limits.spi.UsageCounter;
import dev.limits.testkit.UsageCounterContract;
import io.lettuce.core.RedisClient;
import java.time.Duration;

/** The contract suite against a standalone Redis server started by the build. */
class RedisUsageCounterTest extends UsageCounterContract {

  private static final RedisClient CLIENT = RedisServers.standaloneClient();
  private static final RedisUsageCounter COUNTER =
      RedisUsageCounter.builder(CLIENT).timeout(Duration.ofSeconds(20)).build();

  @Override
  protected UsageCounter createCounter() {
    RedisServers.cli(RedisServers.standalone().port, "FLUSHALL");
    return COUNTER;
  }

  @Override
  protected Duration concurrencyTimeout() {
    return Duration.ofSeconds(90);
  }

  @Override
  protected int operationsPerThread() {
    return 300;
  }
}
