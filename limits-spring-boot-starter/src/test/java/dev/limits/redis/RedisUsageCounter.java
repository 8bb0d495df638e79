package dev.limits.redis;

import dev.limits.spi.ConsumeRequest;
import dev.limits.spi.ConsumeResult;
import dev.limits.spi.SettleRequest;
import dev.limits.spi.SettleResult;
import dev.limits.spi.SlotUsage;
import dev.limits.spi.UsageCounter;
import io.lettuce.core.RedisClient;
import java.util.List;

/**
 * A stand-in of limits-redis's store, with the entry point the starter calls ({@code builder(RedisClient)},
 * {@code build()}), so that RedisStoreHookTest shows the hook picks the store up once it is on the class path.
 * It counts in memory. Delete it once the starter's tests depend on limits-redis (the enforcer's
 * banDuplicateClasses then says so).
 */
public final class RedisUsageCounter implements UsageCounter {

  private final RedisClient client;
  private final UsageCounter counts = UsageCounter.inMemory();

  private RedisUsageCounter(RedisClient client) {
    this.client = client;
  }

  public static Builder builder(RedisClient client) {
    return new Builder(client);
  }

  public RedisClient client() {
    return client;
  }

  @Override
  public ConsumeResult consume(ConsumeRequest request) {
    return counts.consume(request);
  }

  @Override
  public SettleResult settle(SettleRequest request) {
    return counts.settle(request);
  }

  @Override
  public List<SlotUsage> snapshot(String subject, long now) {
    return counts.snapshot(subject, now);
  }

  @Override
  public int purge(long now, int maxItems) {
    return counts.purge(now, maxItems);
  }

  public static final class Builder {
    private final RedisClient client;

    private Builder(RedisClient client) {
      this.client = client;
    }

    public RedisUsageCounter build() {
      return new RedisUsageCounter(client);
    }
  }
}
