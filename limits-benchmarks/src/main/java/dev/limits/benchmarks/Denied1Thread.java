package dev.limits.benchmarks;

import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Threads;

/** Denied requests (every quota used up in setup), one thread: the path of a user over their limit. */
@Threads(1)
public class Denied1Thread extends ConsumeBenchmark {

  /** The number of windows in the plan: 6 only, so that the whole profile stays under ten minutes. */
  @Param({"6"})
  public int windows;

  @Override
  int windows() {
    return windows;
  }

  @Override
  boolean denied() {
    return true;
  }
}
