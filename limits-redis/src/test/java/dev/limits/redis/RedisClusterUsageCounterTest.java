package dev.limits.redis;

import dev.limits.spi.UsageCounter;
import dev.limits.testkit.UsageCounterContract;
import io.lettuce.core.cluster.RedisClusterClient;
import java.time.Duration;

/**
 * The contract suite against a Redis Cluster of three primaries started by the build. A request that charges
 * several subjects needs them in one hash slot: the suite's users, teams and organisations (the subjects of
 * its several-subjects topic) share the tenant {@code org}, as an application maps each user to its
 * organisation; every other subject is a tenant of its own, spread over the three primaries.
 */
class RedisClusterUsageCounterTest extends UsageCounterContract {

  private static final RedisClusterClient CLIENT = RedisServers.clusterClient();
  private static final RedisUsageCounter COUNTER =
      RedisUsageCounter.builder(CLIENT).timeout(Duration.ofSeconds(20))
          .tenantOf(RedisClusterUsageCounterTest::tenantOf).build();

  static String tenantOf(String subject) {
    return subject.startsWith("user-") || subject.startsWith("team-") || subject.startsWith("org-") ? "org"
        : subject;
  }

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
