package dev.limits.benchmarks;

import org.openjdk.jmh.annotations.Threads;

/** PostgreSQL, eight threads on two cores: what the server sustains. */
@Threads(8)
public class Postgres8Threads extends PostgresPeer {}
