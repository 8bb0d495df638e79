/**
 * A {@link dev.limits.spi.UsageCounter} on Redis and Redis Cluster: {@link dev.limits.redis.RedisUsageCounter}
 * and its builder.
 */
@NullMarked
package dev.limits.redis;

import org.jspecify.annotations.NullMarked;
