package dev.limits.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.limits.spi.Charge;
import dev.limits.spi.ConsumeRequest;
import dev.limits.spi.ConsumeRequest.Mode;
import dev.limits.spi.ConsumeResult;
import dev.limits.spi.ConsumeResult.Status;
import dev.limits.spi.Slot;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Races the contract suite does not single out, on each database: cells created by concurrent first
 * requests naming them in different orders, and purges racing each other over expired reservations.
 */
class ConcurrencyTest {

  private static final long T0 = 1_767_225_600_000L;
  private static final long HOUR = 3_600_000L;
  private static final int THREADS = 8;

  static Stream<Arguments> databases() {
    return Stream.of(Arguments.of("PostgreSQL", Databases.postgresPool()),
        Arguments.of("H2", Databases.h2Pool()), Arguments.of("MariaDB", Databases.mariaDbPool()));
  }

  private static JdbcUsageCounter counter(DataSource dataSource) {
    JdbcUsageCounter counter = JdbcUsageCounter.builder(dataSource).tablePrefix("race_")
        .createSchemaIfMissing(true).build();
    Databases.truncate(dataSource, "race_");
    return counter;
  }

  private static void race(List<Callable<Void>> tasks) throws Exception {
    ExecutorService executor = Executors.newFixedThreadPool(tasks.size());
    try {
      List<Future<Void>> futures = executor.invokeAll(tasks, 2, TimeUnit.MINUTES);
      for (Future<Void> future : futures) {
        future.get();
      }
    } finally {
      executor.shutdownNow();
    }
  }

  @ParameterizedTest(name = "{0}", autoCloseArguments = false) // the pools are shared
  @MethodSource("databases")
  void newCellsNamedInEveryOrderAdmitExactlyTheLimit(String name, DataSource dataSource) throws Exception {
    JdbcUsageCounter counter = counter(dataSource);
    int rounds = 12;
    List<String> keys = List.of("a@hour", "b@hour", "c@hour", "d@hour");
    AtomicInteger[] applied = new AtomicInteger[rounds];
    for (int r = 0; r < rounds; r++) {
      applied[r] = new AtomicInteger();
    }
    CyclicBarrier barrier = new CyclicBarrier(THREADS);
    List<Callable<Void>> tasks = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      Random random = new Random(t);
      tasks.add(() -> {
        for (int r = 0; r < rounds; r++) {
          barrier.await(1, TimeUnit.MINUTES); // every thread starts a fresh subject at once
          for (int i = 0; i < 2; i++) {
            List<String> order = new ArrayList<>(keys);
            Collections.shuffle(order, random);
            List<Charge> charges = new ArrayList<>();
            for (String key : order) {
              charges.add(new Charge(new Slot(key, T0, T0 + HOUR, 0), 10, 1));
            }
            ConsumeResult result = counter.consume(
                new ConsumeRequest("fresh-" + r, charges, Mode.ENFORCE, null, 0, T0));
            if (result.status() == Status.APPLIED) {
              applied[r].incrementAndGet();
            }
            for (int c = 0; c < charges.size(); c++) {
              assertThat(result.used(c)).isLessThanOrEqualTo(10);
            }
          }
        }
        return null;
      });
    }
    race(tasks);

    for (int r = 0; r < rounds; r++) {
      assertThat(applied[r].get()).as("%s: consumes applied for fresh-%s", name, r).isEqualTo(10);
      assertThat(counter.snapshot("fresh-" + r, T0)).as(name).hasSize(4)
          .allSatisfy(usage -> assertThat(usage.used()).isEqualTo(10));
    }
  }

  @ParameterizedTest(name = "{0}", autoCloseArguments = false) // the pools are shared
  @MethodSource("databases")
  void concurrentPurgesRefundEachExpiredReservationOnce(String name, DataSource dataSource) throws Exception {
    JdbcUsageCounter counter = counter(dataSource);
    Slot tokens = new Slot("tokens@day", T0, T0 + 24 * HOUR, 0);
    int reservations = 60;
    for (int i = 0; i < reservations; i++) {
      long expiresAt = i % 2 == 0 ? T0 + HOUR : T0 + 3 * HOUR; // half expire before the purge time
      assertThat(counter.consume(new ConsumeRequest("u", List.of(new Charge(tokens, 1_000_000, 10)),
          Mode.RESERVE, "r-" + i, expiresAt, T0)).status()).isEqualTo(Status.APPLIED);
    }
    long purgeAt = T0 + 2 * HOUR;
    List<Callable<Void>> tasks = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      tasks.add(() -> {
        while (counter.purge(purgeAt, 7) == 7) {
          // keep purging in small batches alongside the other purgers
        }
        return null;
      });
    }
    race(tasks);

    ConsumeResult check = counter.consume(new ConsumeRequest("u", List.of(new Charge(tokens, Long.MAX_VALUE, 0)),
        Mode.CHECK, null, 0, purgeAt));
    assertThat(check.used(0)).as(name).isEqualTo(10L * reservations / 2);
    assertThat(counter.purge(purgeAt, 100)).as(name).isZero();
  }
}
