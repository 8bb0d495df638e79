package dev.limits.benchmarks;

import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.ThreadParams;

/** Each thread's walk through the subjects: a prime stride, so neighbours in memory are not visited in turn. */
@State(Scope.Thread)
public class Cursor {

  private static final int STRIDE = 7919;

  private int next;

  @Setup
  public void setUp(ThreadParams thread) {
    next = thread.getThreadIndex() * (Fixtures.SUBJECTS / thread.getThreadCount());
  }

  int next() {
    int i = next + STRIDE;
    if (i >= Fixtures.SUBJECTS) {
      i -= Fixtures.SUBJECTS;
    }
    next = i;
    return i;
  }
}
