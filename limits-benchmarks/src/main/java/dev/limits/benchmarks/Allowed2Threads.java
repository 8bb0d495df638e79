package dev.limits.benchmarks;

import org.openjdk.jmh.annotations.Threads;

/** Allowed requests, two threads (this machine's core count); on {@code hot} they contend for one subject. */
@Threads(2)
public class Allowed2Threads extends ConsumeBenchmark {

  @Override
  boolean denied() {
    return false;
  }
}
