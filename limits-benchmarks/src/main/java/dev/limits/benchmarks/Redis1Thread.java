package dev.limits.benchmarks;

import org.openjdk.jmh.annotations.Threads;

/** Redis, one thread: the latency of one call. */
@Threads(1)
public class Redis1Thread extends RedisBase {}
