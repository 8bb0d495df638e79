package dev.limits.benchmarks;

import org.openjdk.jmh.annotations.Threads;

/** Allowed requests, one thread. */
@Threads(1)
public class Allowed1Thread extends ConsumeBenchmark {

  @Override
  boolean denied() {
    return false;
  }
}
