package dev.limits.benchmarks;

import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Threads;

/** Allowed requests, one thread. */
@Threads(1)
public class Allowed1Thread extends ConsumeBenchmark {

  /** The number of windows in the plan. */
  @Param({"1", "6"})
  public int windows;

  @Override
  int windows() {
    return windows;
  }

  @Override
  boolean denied() {
    return false;
  }
}
