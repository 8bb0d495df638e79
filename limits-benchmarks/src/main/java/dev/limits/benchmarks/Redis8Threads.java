package dev.limits.benchmarks;

import org.openjdk.jmh.annotations.Threads;

/** Redis, eight threads on two cores over one connection: what the server sustains. */
@Threads(8)
public class Redis8Threads extends RedisBase {}
