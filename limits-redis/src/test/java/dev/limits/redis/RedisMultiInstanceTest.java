package dev.limits.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.limits.spi.Charge;
import dev.limits.spi.ConsumeRequest;
import dev.limits.spi.ConsumeRequest.Mode;
import dev.limits.spi.ConsumeResult;
import dev.limits.spi.ConsumeResult.Status;
import dev.limits.spi.Slot;
import dev.limits.spi.SlotUsage;
import io.lettuce.core.RedisClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Four instances, each with its own Lettuce client and connection and eight threads, as four processes
 * would be, hammer one subject's six windows on one Redis server. Each request lists its charges in a
 * shuffled order; odd instances run with a lagging clock. Every answer stays within every limit, and the
 * final counts equal what was granted.
 */
class RedisMultiInstanceTest {

  private static final long T0 = 1_767_225_600_000L;
  private static final long MINUTE = 60_000L;
  private static final long HOUR = 60 * MINUTE;
  private static final long DAY = 24 * HOUR;
  private static final int INSTANCES = 4;
  private static final int THREADS = 8;
  private static final int OPS = 120;
  private static final long HOUR_LIMIT = 3000;
  private static final long DAY_LIMIT = 3500;
  private static final long ROLLING_LIMIT = 1200;
  private static final long LIFETIME_LIMIT = 5000;
  private static final long TOKEN_DAY_LIMIT = 60_000;
  private static final long TOKEN_MONTH_LIMIT = 70_000;

  @Test
  void fourInstancesCountExactlyAndNeverPassALimit() throws Exception {
    RedisServers.cli(RedisServers.standalone().port, "FLUSHALL");
    List<RedisClient> clients = new ArrayList<>();
    List<RedisUsageCounter> counters = new ArrayList<>();
    for (int i = 0; i < INSTANCES; i++) {
      RedisClient client = RedisServers.standaloneClient();
      clients.add(client);
      counters.add(RedisUsageCounter.builder(client).timeout(Duration.ofSeconds(30)).build());
    }
    AtomicLong applied = new AtomicLong();
    AtomicLong denied = new AtomicLong();
    AtomicLong tokens = new AtomicLong();
    ExecutorService executor = Executors.newFixedThreadPool(INSTANCES * THREADS);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> futures = new ArrayList<>();
    try {
      for (int instance = 0; instance < INSTANCES; instance++) {
        RedisUsageCounter counter = counters.get(instance);
        long lag = instance % 2 == 0 ? 0 : 2 * MINUTE + instance;
        for (int thread = 0; thread < THREADS; thread++) {
          SplittableRandom random = new SplittableRandom(instance * 100 + thread);
          futures.add(executor.submit(() -> {
            start.await();
            for (int i = 0; i < OPS; i++) {
              long now = T0 + 10 * MINUTE + i * 1000L - lag;
              long amount = 1 + random.nextInt(60);
              List<Charge> charges = new ArrayList<>(List.of(
                  new Charge(slot("messages@hour", now, HOUR, 0), HOUR_LIMIT, 1),
                  new Charge(slot("messages@day", now, DAY, 0), DAY_LIMIT, 1),
                  new Charge(slot("messages@rolling", now, MINUTE, 59), ROLLING_LIMIT, 1),
                  new Charge(new Slot("messages@lifetime", 0, Long.MAX_VALUE, 0), LIFETIME_LIMIT, 1),
                  new Charge(slot("tokens@day", now, DAY, 0), TOKEN_DAY_LIMIT, amount),
                  new Charge(new Slot("tokens@month", T0, T0 + 31 * DAY, 0), TOKEN_MONTH_LIMIT, amount)));
              Collections.shuffle(charges, new Random(random.nextLong()));
              ConsumeResult result = counter.consume(new ConsumeRequest("hot", charges, Mode.ENFORCE, null, 0, now));
              for (int c = 0; c < charges.size(); c++) {
                assertThat(result.used(c)).as("%s of %s", charges.get(c), result)
                    .isLessThanOrEqualTo(charges.get(c).limit());
              }
              if (result.status() == Status.APPLIED) {
                applied.incrementAndGet();
                tokens.addAndGet(amount);
              } else {
                assertThat(result.status()).isEqualTo(Status.DENIED);
                denied.incrementAndGet();
              }
            }
            return null;
          }));
        }
      }
      long started = System.nanoTime();
      start.countDown();
      for (Future<?> future : futures) {
        future.get(3, TimeUnit.MINUTES);
      }
      long millis = Math.max(1, (System.nanoTime() - started) / 1_000_000);
      System.out.printf("RedisMultiInstanceTest: %d consumes of 6 charges on one subject in %d ms (%d/s)%n",
          INSTANCES * THREADS * OPS, millis, INSTANCES * THREADS * OPS * 1000L / millis);
    } finally {
      executor.shutdownNow();
      counters.forEach(RedisUsageCounter::close);
      clients.forEach(RedisClient::shutdown);
    }

    long end = T0 + 10 * MINUTE + OPS * 1000L;
    Map<String, Long> stored = new HashMap<>();
    try (RedisUsageCounter reader = RedisUsageCounter.builder(RedisServers.standalone().uri()).build()) {
      for (SlotUsage usage : reader.snapshot("hot", end)) {
        stored.put(usage.key(), usage.used());
      }
    }
    assertThat(applied.get() + denied.get()).isEqualTo((long) INSTANCES * THREADS * OPS);
    assertThat(denied.get()).as("the rolling window's limit was reached").isPositive();
    assertThat(applied.get()).isEqualTo(ROLLING_LIMIT);
    assertThat(stored).containsEntry("messages@hour", applied.get())
        .containsEntry("messages@day", applied.get())
        .containsEntry("messages@rolling", applied.get())
        .containsEntry("messages@lifetime", applied.get())
        .containsEntry("tokens@day", tokens.get())
        .containsEntry("tokens@month", tokens.get());
    assertThat(tokens.get()).isLessThanOrEqualTo(TOKEN_DAY_LIMIT);
  }

  private static Slot slot(String key, long now, long length, int lookback) {
    long start = Math.floorDiv(now, length) * length;
    return new Slot(key, start, start + length, lookback);
  }
}
