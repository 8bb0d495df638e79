package dev.limits.benchmarks;

import org.openjdk.jmh.annotations.Threads;

/** Denied requests (every quota used up in setup), one thread: the path of a user over their limit. */
@Threads(1)
public class Denied1Thread extends ConsumeBenchmark {

  @Override
  boolean denied() {
    return true;
  }
}
