package dev.limits.benchmarks;

import dev.limits.Decision;
import dev.limits.LimitPolicy;
import dev.limits.LimitRequest;
import dev.limits.Limiter;
import dev.limits.QuotaUsage;
import dev.limits.redis.RedisUsageCounter;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.github.bucket4j.redis.lettuce.cas.LettuceBasedProxyManager;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * One message counted against a plan of {@link Fixtures}' 6 windows on Redis, ours and Bucket4j's, side by
 * side on the same kind of server (Debian's {@code redis-server}, started by each trial without persistence,
 * its CPU time counted by {@link CpuTimeProfiler}), each through one shared Lettuce connection:
 *
 * <ul>
 *   <li>{@code limits}: {@link Limiter#consume} over {@link RedisUsageCounter} (one EVALSHA);
 *   <li>{@code bucket4j}: {@code tryConsume(1)} on a bucket of Bucket4j's {@link LettuceBasedProxyManager}
 *       (compare-and-swap: GET, then a script that writes if unchanged, retried on a lost race) with the same
 *       6 bandwidths, on the same fixed clock;
 *   <li>{@code floor}: EVALSHA of a script that returns at once, on the subject's key: the round trip alone.
 * </ul>
 * {@code subjects}: {@code spread} over {@value Fixtures#SUBJECTS} subjects, or one {@code hot} subject.
 *
 * <p>After the trial every allowed decision is checked against what Redis holds: our hour counter (summed
 * over the subjects when spread) must equal the allowed consumes, and Bucket4j's consumed tokens (capacity
 * minus available) its allowed ones; any difference throws, failing the benchmark.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@State(Scope.Benchmark)
public abstract class RedisBase {

  static final int WINDOWS = 6;

  @Param({"spread", "hot"})
  public String subjects;

  private Process server;
  private Path dir;
  private RedisClient client;
  private RedisUsageCounter counter;
  private StatefulRedisConnection<String, byte[]> bucketConnection;
  private StatefulRedisConnection<String, String> floorConnection;
  private RedisCommands<String, String> floorCommands;
  private String floorSha;
  private boolean hot;
  private long[] limits;
  private LimitPolicy policy;
  private Limiter limiter;
  private LimitRequest[] requests;
  private Bucket[] buckets;
  private String[][] floorKeys;
  private final LongAdder limitsAllowed = new LongAdder();
  private final LongAdder limitsDenied = new LongAdder();
  private final LongAdder bucketAllowed = new LongAdder();
  private final LongAdder bucketDenied = new LongAdder();

  @Setup(Level.Trial)
  public void setUp(BenchmarkParams params) throws Exception {
    hot = Fixtures.isHot(subjects);
    int port = freePort();
    dir = Files.createTempDirectory("limits-bench-redis");
    server = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save",
        "", "--appendonly", "no", "--dir", dir.toString()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("redis.log").toFile()).start();
    CpuTimeProfiler.server(server.pid());
    CpuTimeProfiler.excluded(() -> prepare(port, params.getBenchmark()));
  }

  private void prepare(int port, String benchmark) {
    client = RedisClient.create("redis://127.0.0.1:" + port);
    awaitServer();
    counter = RedisUsageCounter.builder(client).build();
    limits = Fixtures.limits(WINDOWS, Fixtures.LARGE);
    policy = Fixtures.policy(limits);
    limiter = Limiter.builder(counter).clock(Fixtures.CLOCK).build();
    bucketConnection = client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
    LettuceBasedProxyManager<String> proxies = Bucket4jLettuce.casBasedBuilder(bucketConnection)
        .clientClock(Fixtures.fixedTime()).build();
    BucketConfiguration configuration = Fixtures.bucketConfiguration(limits);
    floorConnection = client.connect(StringCodec.UTF8);
    floorCommands = floorConnection.sync();
    floorSha = floorCommands.scriptLoad("return 1");
    requests = new LimitRequest[Fixtures.SUBJECTS];
    buckets = new Bucket[Fixtures.SUBJECTS];
    floorKeys = new String[Fixtures.SUBJECTS][];
    for (int i = 0; i < Fixtures.SUBJECTS; i++) {
      String subject = Fixtures.subject(i);
      requests[i] = LimitRequest.of(subject).amount(Fixtures.MESSAGES, 1);
      buckets[i] = proxies.builder().build("bucket:" + subject, () -> configuration);
      floorKeys[i] = new String[] {"limits:{" + subject + "}c:" + subject};
    }
    // Each subject's keys exist before measuring, as in a running system.
    int count = hot ? 1 : Fixtures.SUBJECTS;
    if (benchmark.endsWith(".limits")) {
      for (int i = 0; i < count; i++) {
        limits(i);
      }
    } else if (benchmark.endsWith(".bucket4j")) {
      for (int i = 0; i < count; i++) {
        bucket4j(i);
      }
    }
  }

  private void awaitServer() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try (StatefulRedisConnection<String, String> c = client.connect()) {
        c.sync().ping();
        return;
      } catch (RuntimeException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.onSpinWait();
      }
    }
  }

  int pick(Cursor cursor) {
    return hot ? 0 : cursor.next();
  }

  /** Our consume: {@link Limiter#consume} over {@link RedisUsageCounter}. */
  @Benchmark
  public Decision limits(Cursor cursor) {
    return limits(pick(cursor));
  }

  private Decision limits(int i) {
    Decision d = limiter.consume(policy, requests[i]);
    (d.isAllowed() ? limitsAllowed : limitsDenied).increment();
    return d;
  }

  /** Bucket4j's Lettuce compare-and-swap proxy manager: {@code tryConsume(1)} on the subject's bucket. */
  @Benchmark
  public boolean bucket4j(Cursor cursor) {
    return bucket4j(pick(cursor));
  }

  private boolean bucket4j(int i) {
    boolean allowed = buckets[i].tryConsume(1);
    (allowed ? bucketAllowed : bucketDenied).increment();
    return allowed;
  }

  /** The floor: EVALSHA of a script that returns at once, on the subject's key. */
  @Benchmark
  public Long floor(Cursor cursor) {
    return floorCommands.evalsha(floorSha, ScriptOutputType.INTEGER, floorKeys[pick(cursor)]);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    try {
      CpuTimeProfiler.excluded(this::check);
    } finally {
      CpuTimeProfiler.serverStopping();
      CpuTimeProfiler.excluded(() -> {
        counter.close();
        bucketConnection.close();
        floorConnection.close();
        client.shutdown();
        server.destroy();
        try {
          server.waitFor(30, TimeUnit.SECONDS);
          try (java.util.stream.Stream<Path> paths = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) paths.sorted(java.util.Comparator.reverseOrder())::iterator) {
              Files.delete(p);
            }
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
  }

  /** Throws unless Redis holds exactly the allowed decisions, within every limit. */
  private void check() {
    int count = hot ? 1 : Fixtures.SUBJECTS;
    if (limitsAllowed.sum() + limitsDenied.sum() > 0) {
      long used = 0;
      for (int i = 0; i < count; i++) {
        List<QuotaUsage> quotas = limiter.usage(policy, Fixtures.subject(i)).quotas();
        for (QuotaUsage q : quotas) {
          Exact.expect(q.used() <= q.limit() ? 1 : 0, 1, "limits: OVERSHOOT on " + q);
        }
        used += quotas.get(0).used();
      }
      Exact.expect(used, limitsAllowed.sum(), "limits: hour counters");
    }
    if (bucketAllowed.sum() + bucketDenied.sum() > 0) {
      long used = 0;
      for (int i = 0; i < count; i++) {
        long available = buckets[i].getAvailableTokens();
        Exact.expect(available >= 0 ? 1 : 0, 1, "bucket4j: OVERSHOOT, " + available + " tokens");
        used += limits[0] - available;
      }
      Exact.expect(used, bucketAllowed.sum(), "bucket4j: consumed tokens");
    }
    System.out.printf("%ncheck passed (%s): limits %d allowed, %d denied; bucket4j %d allowed, %d denied%n",
        subjects, limitsAllowed.sum(), limitsDenied.sum(), bucketAllowed.sum(), bucketDenied.sum());
    // Time inside Redis per command (usec_per_call), the single thread every instance shares.
    for (String line : floorCommands.info("commandstats").split("\r?\n")) {
      if (line.startsWith("cmdstat_")) {
        System.out.println("redis " + line);
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
