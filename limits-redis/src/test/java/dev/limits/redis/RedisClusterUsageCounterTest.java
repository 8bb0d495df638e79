package dev.limits.redis;

import dev.limits.spi.UsageCounter;
import dev.limits.testkit.UsageCounterContract;
import io.lettuce.core.cluster.RedisClusterClient;
import java.time.Duration;

/** The contract suite against a Redis Cluster of three primaries started by the build. */
class RedisClusterUsageCounterTest extends UsageCounterContract {

  private static final RedisClusterClient CLIENT = RedisServers.clusterClient();
  private static final RedisUsageCounter COUNTER =
      RedisUsageCounter.builder(CLIENT).timeout(Duration.ofSeconds(20)).build();

  @Override
  protected UsageCounter createCounter() {
    for (RedisServers.Server node : RedisServers.cluster()) {
      RedisServers.cli(node.port, "FLUSHALL");
    }
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
