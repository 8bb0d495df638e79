package dev.limits.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * Reports {@code cpu.time.norm}: the CPU time per operation of the benchmark process, garbage collection
 * included, plus, for a benchmark that talks to a PostgreSQL server, the server's CPU time (the postmaster
 * and all its children: backends, WAL writer, autovacuum; read from {@code /proc}). On a CPU-bound machine
 * that is the fair measure of what an operation costs: unlike throughput it hardly moves when other
 * processes compete for the cores. {@code cpu.client.norm} and {@code cpu.server.norm} are the two parts.
 * CPU time spent in set-up and checks inside an iteration ({@link #exclude()}) is not counted.
 *
 * <p>It does not see time a thread spends blocked, so with several threads on one hot subject read the
 * throughput too. Use with {@code -prof dev.limits.benchmarks.CpuTimeProfiler}.
 */
public final class CpuTimeProfiler implements InternalProfiler {

  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  /** Linux's USER_HZ: the unit of the times in {@code /proc/<pid>/stat}. */
  private static final long NANOS_PER_TICK = 1_000_000_000L / 100;

  /** The postmaster of the server the running benchmark uses; 0 for none. */
  private static volatile long serverPid;

  /** The server's CPU time just before it was stopped: what a last iteration ends with. */
  private static volatile long lastServerCpu = -1;

  private static final LongAdder EXCLUDED_CLIENT = new LongAdder();
  private static final LongAdder EXCLUDED_SERVER = new LongAdder();

  private long start;
  private long iterationPid;
  private long serverStart;
  private long excludedClientStart;
  private long excludedServerStart;

  /** Counts the CPU time of this server (0: none) from now on, in the benchmark's own fork. */
  static void server(long pid) {
    serverPid = pid;
    lastServerCpu = -1;
  }

  /**
   * Reads the server's CPU time one last time, for the iteration that stops it (the trial's tear-down runs
   * inside the last iteration).
   */
  static void serverStopping() {
    lastServerCpu = serverCpu(serverPid);
  }

  /** The server's CPU time, or the last reading if it has been stopped since. */
  private static long serverCpuOrLast(long pid) {
    long cpu = serverCpu(pid);
    return cpu >= 0 || pid != serverPid ? cpu : lastServerCpu;
  }

  /**
   * Starts a block whose CPU time (this process's and the server's) is left out of the iteration it runs in:
   * trial set-up and the checks after a trial run inside the first and last iteration.
   */
  static AutoCloseable exclude() {
    long pid = serverPid;
    long client = OS.getProcessCpuTime();
    long server = serverCpu(pid);
    return () -> {
      EXCLUDED_CLIENT.add(OS.getProcessCpuTime() - client);
      if (server >= 0 && pid == serverPid) {
        long now = serverCpuOrLast(pid);
        if (now >= 0) {
          EXCLUDED_SERVER.add(now - server);
        }
      }
    };
  }

  /** Runs {@code task} in an {@link #exclude()} block. */
  static void excluded(Runnable task) {
    try (AutoCloseable block = exclude()) {
      task.run();
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String getDescription() {
    return "CPU time per operation: this process's, plus the PostgreSQL server's when one is used";
  }

  @Override
  public void beforeIteration(BenchmarkParams benchmark, IterationParams iteration) {
    excludedClientStart = EXCLUDED_CLIENT.sum();
    excludedServerStart = EXCLUDED_SERVER.sum();
    iterationPid = serverPid;
    serverStart = serverCpu(iterationPid);
    start = OS.getProcessCpuTime();
  }

  @Override
  @SuppressWarnings("rawtypes") // JMH's own signature
  public Collection<? extends Result> afterIteration(BenchmarkParams benchmark, IterationParams iteration,
      IterationResult result) {
    long client = OS.getProcessCpuTime() - start - (EXCLUDED_CLIENT.sum() - excludedClientStart);
    long serverNow = serverCpuOrLast(iterationPid);
    // Every operation the threads ran, including those while other threads were starting or stopping.
    long ops = result.getMetadata().getAllOps();
    List<ScalarResult> results = new ArrayList<>();
    double server = Double.NaN;
    if (serverStart >= 0 && serverNow >= 0) {
      server = serverNow - serverStart - (EXCLUDED_SERVER.sum() - excludedServerStart);
    }
    results.add(new ScalarResult("cpu.time.norm", ops == 0 ? Double.NaN
        : (client + (Double.isNaN(server) ? 0 : server)) / ops, "ns/op", AggregationPolicy.AVG));
    if (!Double.isNaN(server)) {
      results.add(new ScalarResult("cpu.client.norm", ops == 0 ? Double.NaN : (double) client / ops, "ns/op",
          AggregationPolicy.AVG));
      results.add(new ScalarResult("cpu.server.norm", ops == 0 ? Double.NaN : server / ops, "ns/op",
          AggregationPolicy.AVG));
    }
    return results;
  }

  /**
   * The CPU time in nanoseconds of a server: its postmaster's, its live children's, and that of the children
   * that have exited (the postmaster's {@code cutime} and {@code cstime}); -1 if {@code pid} is 0 or
   * {@code /proc} cannot be read.
   *
   * <p>A child that the postmaster reaps between the two reads (an autovacuum worker, say) would be counted
   * in neither or in both, so the postmaster is read before and after its children, and the whole read is
   * repeated until no child was reaped in between.
   */
  static long serverCpu(long pid) {
    if (pid <= 0) {
      return -1;
    }
    try {
      for (int attempt = 0; ; attempt++) {
        long[] before = stat(pid);
        if (before.length == 0) {
          return -1;
        }
        long ticks = 0;
        Path children = Path.of("/proc", Long.toString(pid), "task", Long.toString(pid), "children");
        for (String child : Files.readString(children, StandardCharsets.US_ASCII).trim().split("\\s+")) {
          if (!child.isEmpty()) {
            long[] t = stat(Long.parseLong(child));
            if (t.length > 0) {
              ticks += t[0] + t[1];
            }
          }
        }
        long[] after = stat(pid);
        if (after.length == 0) {
          return -1;
        }
        boolean reaped = after[2] != before[2] || after[3] != before[3];
        if (!reaped || attempt == 10) {
          return (ticks + after[0] + after[1] + after[2] + after[3]) * NANOS_PER_TICK;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** utime, stime, cutime and cstime of a process in ticks, or an empty array if it is gone. */
  private static long[] stat(long pid) {
    String text;
    try {
      text = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
    } catch (IOException e) {
      return new long[0];
    }
    // The command name in brackets may contain spaces: fields are counted after its closing bracket, where
    // field 3 (state) comes first, so utime (field 14) is at index 11.
    String[] f = text.substring(text.lastIndexOf(')') + 2).split(" ");
    return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[13]),
        Long.parseLong(f[14])};
  }
}
