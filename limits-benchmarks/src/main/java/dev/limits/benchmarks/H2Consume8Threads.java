package dev.limits.benchmarks;

import org.openjdk.jmh.annotations.Threads;

/** H2 in memory, 8 threads. */
@Threads(8)
public class H2Consume8Threads extends H2Consume {}
