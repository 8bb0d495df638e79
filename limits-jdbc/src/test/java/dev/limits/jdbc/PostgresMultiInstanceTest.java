package dev.limits.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.limits.spi.Charge;
import dev.limits.spi.ConsumeRequest;
import dev.limits.spi.ConsumeRequest.Mode;
import dev.limits.spi.ConsumeResult;
import dev.limits.spi.ConsumeResult.Status;
import dev.limits.spi.Slot;
import dev.limits.spi.SlotUsage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Four independent instances, each with its own connection pool and eight threads, as four processes would
 * be, hammer one subject's windows on one PostgreSQL. Each request lists its charges in a shuffled order,
 * so overlapping cells are named in every order; some instances run with a lagging clock. Each instance
 * coalesces its concurrent consumes, so batches of different instances overlap too.
 */
class PostgresMultiInstanceTest {

  private static final long T0 = 1_767_225_600_000L;
  private static final long MINUTE = 60_000L;
  private static final long HOUR = 60 * MINUTE;
  private static final long DAY = 24 * HOUR;
  private static final int INSTANCES = 4;
  private static final int THREADS = 8;
  private static final int OPS = 120;
  private static final long HOUR_LIMIT = 1500;
  private static final long DAY_LIMIT = 1800;
  private static final long ROLLING_LIMIT = 1200;
  private static final long TOKEN_LIMIT = 60_000;

  @Test
  void fourInstancesCountExactlyAndNeverPassALimit() throws Exception {
    String prefix = "multi_";
    JdbcUsageCounter reader = JdbcUsageCounter.builder(Databases.postgresPool()).tablePrefix(prefix)
        .createSchemaIfMissing(true).build();
    Databases.truncate(Databases.postgresPool(), prefix);
    List<HikariDataSource> pools = new ArrayList<>();
    List<JdbcUsageCounter> counters = new ArrayList<>();
    String url = Databases.postgres().getJdbcUrl("postgres", "postgres");
    for (int i = 0; i < INSTANCES; i++) {
      HikariDataSource pool = Databases.pool(url, "postgres", "", THREADS);
      pools.add(pool);
      counters.add(JdbcUsageCounter.builder(pool).tablePrefix(prefix).coalesceConsumes(true).build());
    }
    AtomicLong applied = new AtomicLong();
    AtomicLong denied = new AtomicLong();
    AtomicLong tokens = new AtomicLong();
    ExecutorService executor = Executors.newFixedThreadPool(INSTANCES * THREADS);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> futures = new ArrayList<>();
    try {
      for (int instance = 0; instance < INSTANCES; instance++) {
        JdbcUsageCounter counter = counters.get(instance);
        long lag = instance % 2 == 0 ? 0 : 2 * MINUTE + instance; // odd instances' clocks run behind
        for (int thread = 0; thread < THREADS; thread++) {
          SplittableRandom random = new SplittableRandom(instance * 100 + thread);
          futures.add(executor.submit(() -> {
            start.await();
            for (int i = 0; i < OPS; i++) {
              long now = T0 + 10 * MINUTE + i * 1000L - lag; // stays within one hour and 6 minutes
              long amount = 1 + random.nextInt(60);
              List<Charge> charges = new ArrayList<>(List.of(
                  new Charge(slot("messages@hour", now, HOUR, 0), HOUR_LIMIT, 1),
                  new Charge(slot("messages@day", now, DAY, 0), DAY_LIMIT, 1),
                  new Charge(slot("messages@rolling", now, MINUTE, 9), ROLLING_LIMIT, 1),
                  new Charge(slot("tokens@day", now, DAY, 0), TOKEN_LIMIT, amount)));
              Collections.shuffle(charges, new java.util.Random(random.nextLong()));
              ConsumeResult result = counter.consume(
                  new ConsumeRequest("tenant-1", charges, Mode.ENFORCE, null, 0, now));
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
        future.get(2, TimeUnit.MINUTES);
      }
      long millis = Math.max(1, (System.nanoTime() - started) / 1_000_000);
      System.out.printf("PostgresMultiInstanceTest: %d consumes of 4 charges on one subject in %d ms (%d/s)%n",
          INSTANCES * THREADS * OPS, millis, INSTANCES * THREADS * OPS * 1000L / millis);
    } finally {
      executor.shutdownNow();
      pools.forEach(HikariDataSource::close);
    }

    long end = T0 + 10 * MINUTE + OPS * 1000L;
    Map<String, Long> stored = new HashMap<>();
    for (SlotUsage usage : reader.snapshot("tenant-1", end)) {
      stored.put(usage.key(), usage.used());
    }
    assertThat(applied.get() + denied.get()).isEqualTo((long) INSTANCES * THREADS * OPS);
    assertThat(denied.get()).as("the rolling window's limit was reached").isPositive();
    assertThat(applied.get()).isEqualTo(ROLLING_LIMIT);
    assertThat(stored).containsEntry("messages@hour", applied.get())
        .containsEntry("messages@day", applied.get())
        .containsEntry("messages@rolling", applied.get())
        .containsEntry("tokens@day", tokens.get());
    assertThat(tokens.get()).isLessThanOrEqualTo(TOKEN_LIMIT);
  }

  private static Slot slot(String key, long now, long length, int lookback) {
    long start = Math.floorDiv(now, length) * length;
    return new Slot(key, start, start + length, lookback);
  }
}
