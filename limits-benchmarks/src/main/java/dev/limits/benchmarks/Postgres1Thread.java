package dev.limits.benchmarks;

import org.openjdk.jmh.annotations.Threads;

/** PostgreSQL, one thread: the latency of a consume. */
@Threads(1)
public class Postgres1Thread extends PostgresPeer {}
