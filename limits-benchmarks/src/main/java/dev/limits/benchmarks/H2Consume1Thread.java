package dev.limits.benchmarks;

import org.openjdk.jmh.annotations.Threads;

/** H2 in memory, 1 thread. */
@Threads(1)
public class H2Consume1Thread extends H2Consume {}
