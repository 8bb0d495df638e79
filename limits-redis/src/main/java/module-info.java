/**
 * limits-redis: a {@link dev.limits.spi.UsageCounter} on Redis and Redis Cluster, through Lettuce.
 *
 * <p>Exports {@code dev.limits.redis} only; {@code dev.limits.redis.internal} holds the Lua scripts and what
 * runs them. Lettuce is an automatic module ({@code lettuce.core}); the builder takes its clients, so it is
 * required transitively. The JSpecify annotations are read at compile time only.
 */
module dev.limits.redis {
  requires transitive dev.limits.core;
  requires transitive lettuce.core;
  requires static org.jspecify;

  exports dev.limits.redis;
}
