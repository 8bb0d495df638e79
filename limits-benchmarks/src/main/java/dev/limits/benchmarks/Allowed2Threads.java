package dev.limits.benchmarks;

import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Threads;

/** Allowed requests, two threads (this machine's core count); on {@code hot} they contend for one subject. */
@Threads(2)
public class Allowed2Threads extends ConsumeBenchmark {

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
