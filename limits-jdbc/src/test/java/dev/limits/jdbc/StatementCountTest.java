package dev.limits.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.limits.spi.Charge;
import dev.limits.spi.ConsumeRequest;
import dev.limits.spi.ConsumeRequest.Mode;
import dev.limits.spi.ConsumeResult.Status;
import dev.limits.spi.Slot;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * How many statements reach the database per consume, counted through a proxy of the JDBC objects: one on
 * PostgreSQL and H2, whatever the mode and outcome, and without a commit of its own, except that the first
 * use of a subject's cells by a PostgreSQL consume that takes the fast function costs two;
 * concurrent consumes on PostgreSQL share statements.
 */
class StatementCountTest {

  private static final long T0 = 1_767_225_600_000L;
  private static final long HOUR = 3_600_000L;
  private static final long DAY = 24 * HOUR;

  private static List<Charge> charges(long hourLimit) {
    return List.of(
        new Charge(new Slot("messages@hour", T0, T0 + HOUR, 0), hourLimit, 1),
        new Charge(new Slot("messages@day", T0, T0 + DAY, 0), 1000, 1),
        new Charge(new Slot("calls@rolling", T0, T0 + 60_000, 9), 1000, 1),
        new Charge(new Slot("tokens@day", T0, T0 + DAY, 0), 100_000, 250));
  }

  /** Returns the statements per consume for: first use, steady state, a denial, an id, a duplicate. */
  private static int[] count(DataSource dataSource, String prefix) {
    CountingDataSource counting = new CountingDataSource(dataSource);
    JdbcUsageCounter counter = JdbcUsageCounter.builder(dataSource).tablePrefix(prefix)
        .createSchemaIfMissing(true).build();
    Databases.truncate(dataSource, prefix);
    // Coalescing (PostgreSQL only) must not change this: a consume that finds nothing in flight goes alone.
    JdbcUsageCounter counted = JdbcUsageCounter.builder(counting.dataSource).tablePrefix(prefix)
        .dialect(counter.dialect()).coalesceConsumes(true).build();
    int[] statements = new int[5];
    ConsumeRequest[] requests = {
        new ConsumeRequest("u", charges(2), Mode.ENFORCE, null, 0, T0),
        new ConsumeRequest("u", charges(2), Mode.ENFORCE, null, 0, T0 + 1),
        new ConsumeRequest("u", charges(2), Mode.ENFORCE, null, 0, T0 + 2),
        new ConsumeRequest("u", charges(100), Mode.RESERVE, "op-1", T0 + HOUR, T0 + 3),
        new ConsumeRequest("u", charges(100), Mode.RESERVE, "op-1", T0 + HOUR, T0 + 4)};
    Status[] expected = {Status.APPLIED, Status.APPLIED, Status.DENIED, Status.APPLIED, Status.DUPLICATE};
    for (int i = 0; i < requests.length; i++) {
      counting.reset();
      assertThat(counted.consume(requests[i]).status()).as("request %s", i).isEqualTo(expected[i]);
      statements[i] = counting.executions.get() + counting.commits.get();
    }
    return statements;
  }

  @Test
  void aPostgresConsumeIsOneStatement() {
    assertThat(count(Databases.postgresPool(), "count_")).containsExactly(1, 1, 1, 1, 1);
  }

  /**
   * An ENFORCE without an operation id on calendar and lifetime windows only is one call of the fast function
   * once the subject's rows exist, also when denied; the first use of a subject's cells takes two (the
   * fast function finds rows missing and changes nothing, then the general function inserts them).
   */
  @Test
  void aPostgresConsumeOfCalendarWindowsIsOneFastCallOnceItsRowsExist() {
    DataSource pool = Databases.postgresPool();
    JdbcUsageCounter counter = JdbcUsageCounter.builder(pool).tablePrefix("count_")
        .createSchemaIfMissing(true).build();
    Databases.truncate(pool, "count_");
    CountingDataSource counting = new CountingDataSource(pool);
    JdbcUsageCounter counted = JdbcUsageCounter.builder(counting.dataSource).tablePrefix("count_")
        .dialect(counter.dialect()).coalesceConsumes(true).build();
    List<Charge> charges = List.of(
        new Charge(new Slot("messages@hour", T0, T0 + HOUR, 0), 2, 1),
        new Charge(new Slot("messages@day", T0, T0 + DAY, 0), 1000, 1),
        new Charge(new Slot("tokens@lifetime", 0, Long.MAX_VALUE, 0), 100_000, 250));
    Status[] expected = {Status.APPLIED, Status.APPLIED, Status.DENIED, Status.DENIED};
    int[] statements = {2, 1, 1, 1};
    for (int i = 0; i < expected.length; i++) {
      counting.reset();
      assertThat(counted.consume(new ConsumeRequest("u", charges, Mode.ENFORCE, null, 0, T0 + i)).status())
          .as("request %s", i).isEqualTo(expected[i]);
      assertThat(counting.executions.get() + counting.commits.get()).as("request %s", i)
          .isEqualTo(statements[i]);
      assertThat(counting.prepared.get(0)).as("request %s", i).contains("count_counter_consume_fast(");
    }
    assertThat(counter.snapshot("u", T0)).extracting(usage -> usage.used()).containsExactlyInAnyOrder(2L, 2L, 500L);
  }

  @Test
  void concurrentPostgresConsumesOfOneSubjectShareStatements() throws Exception {
    JdbcUsageCounter counter = JdbcUsageCounter.builder(Databases.postgresPool()).tablePrefix("count_")
        .createSchemaIfMissing(true).build();
    Databases.truncate(Databases.postgresPool(), "count_");
    CountingDataSource counting = new CountingDataSource(Databases.postgresPool());
    JdbcUsageCounter counted = JdbcUsageCounter.builder(counting.dataSource).tablePrefix("count_")
        .dialect(counter.dialect()).coalesceConsumes(true).build();
    int threads = 16;
    int perThread = 25;
    java.util.concurrent.ExecutorService executor = java.util.concurrent.Executors.newFixedThreadPool(threads);
    java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
    List<java.util.concurrent.Future<?>> futures = new java.util.ArrayList<>();
    try {
      for (int t = 0; t < threads; t++) {
        futures.add(executor.submit(() -> {
          start.await();
          for (int i = 0; i < perThread; i++) {
            assertThat(counted.consume(new ConsumeRequest("hot", charges(1000), Mode.ENFORCE, null, 0, T0))
                .status()).isEqualTo(Status.APPLIED);
          }
          return null;
        }));
      }
      start.countDown();
      for (java.util.concurrent.Future<?> future : futures) {
        future.get(2, java.util.concurrent.TimeUnit.MINUTES);
      }
    } finally {
      executor.shutdownNow();
    }
    int statements = counting.executions.get() + counting.commits.get();
    assertThat(statements).as("statements for %s concurrent consumes", threads * perThread)
        .isLessThan(threads * perThread);
    assertThat(counter.snapshot("hot", T0)).anySatisfy(
        usage -> assertThat(usage.used()).isEqualTo(threads * perThread));
  }

  @Test
  void anH2ConsumeIsOneStatement() {
    assertThat(count(Databases.h2Pool(), "count_")).containsExactly(1, 1, 1, 1, 1);
  }

  @Test
  void aMariaDbConsumeIsAShortTransaction() {
    // read, (operation lookup,) placeholder inserts, lock, (operation insert,) update, (holds,) commit
    int[] statements = count(Databases.mariaDbPool(), "count_");
    assertThat(statements[0]).isEqualTo(5);
    assertThat(statements[1]).isEqualTo(4);
    assertThat(statements[2]).as("a clear denial reads without locking").isEqualTo(2);
    assertThat(statements[3]).isEqualTo(7);
    assertThat(statements[4]).as("a duplicate is found by the first read").isEqualTo(3);
  }
}
