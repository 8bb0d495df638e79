package dev.limits.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.limits.spi.Charge;
import dev.limits.spi.ConsumeRequest;
import dev.limits.spi.ConsumeRequest.Mode;
import dev.limits.spi.ConsumeResult;
import dev.limits.spi.ConsumeResult.Status;
import dev.limits.spi.SettleRequest;
import dev.limits.spi.Slot;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * The fast consume on PostgreSQL (an ENFORCE without operation id on windows without lookback)
 * against the PL/pgSQL function: random sequences must give the same answers and leave the same rows,
 * and concurrent instances must count exactly and never pass a limit.
 */
class PostgresFastConsumeTest {

  private static final long T0 = 1_767_225_600_000L;
  private static final long MINUTE = 60_000L;
  private static final long HOUR = 60 * MINUTE;
  private static final long DAY = 24 * HOUR;
  private static final long MAX = Long.MAX_VALUE;

  private static Slot slot(int key, long at, int mixedLookback) {
    switch (key) {
      case 0: {
        long start = Math.floorDiv(at, HOUR) * HOUR;
        return new Slot("a@hour", start, start + HOUR, 0);
      }
      case 1: {
        long start = Math.floorDiv(at, DAY) * DAY;
        return new Slot("b@day", start, start + DAY, 0);
      }
      case 2: {
        long start = Math.floorDiv(at, 10 * MINUTE) * 10 * MINUTE;
        return new Slot("c@10min", start, start + 10 * MINUTE, 0);
      }
      case 3:
        return new Slot("l@lifetime", 0, MAX, 0);
      default: {
        // a key whose windows sometimes roll: its rows are not for the fast statement
        long start = Math.floorDiv(at, 5 * MINUTE) * 5 * MINUTE;
        return new Slot("m@mixed", start, start + 5 * MINUTE, mixedLookback);
      }
    }
  }

  private static List<List<Object>> rows(DataSource dataSource, String prefix) {
    List<List<Object>> rows = new ArrayList<>();
    try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT subject, counter_key, bucket_ms, lookback, period_start,"
            + " period_end, used, earlier_starts, earlier_used, expires_at FROM " + prefix
            + "counter ORDER BY subject, counter_key")) {
      while (rs.next()) {
        List<Object> row = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
          row.add(String.valueOf(rs.getObject(i)));
        }
        rows.add(row);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return rows;
  }

  private static List<List<Object>> chargedRows(DataSource dataSource, String prefix) {
    List<List<Object>> rows = rows(dataSource, prefix);
    rows.removeIf(row -> row.get(4).equals("null"));
    return rows;
  }

  @Test
  void theFastStatementAnswersAndWritesLikeTheFunction() {
    DataSource pool = Databases.postgresPool();
    CountingDataSource counting = new CountingDataSource(pool);
    JdbcUsageCounter fast = JdbcUsageCounter.builder(counting.dataSource).tablePrefix("fast_")
        .createSchemaIfMissing(true).coalesceConsumes(false).build();
    JdbcUsageCounter function = JdbcUsageCounter.builder(pool).tablePrefix("slow_")
        .createSchemaIfMissing(true).coalesceConsumes(false).fastConsume(false).build();
    int fastStatements = 0;
    int answered = 0;
    for (long seed = 1; seed <= 6; seed++) {
      Databases.truncate(pool, "fast_");
      Databases.truncate(pool, "slow_");
      SplittableRandom random = new SplittableRandom(seed);
      long clock = T0;
      List<String> reservations = new ArrayList<>();
      for (int step = 0; step < 400; step++) {
        String at = "seed " + seed + " step " + step;
        clock += random.nextInt(5) == 0 ? random.nextLong(40 * MINUTE) : random.nextLong(2 * MINUTE);
        // now and then a caller whose clock lags up to two hours behind
        long now = random.nextInt(5) == 0 ? clock - random.nextLong(2 * HOUR) : clock;
        String subject = "s" + random.nextInt(3);
        if (random.nextInt(40) == 0) {
          assertThat(fast.purge(clock, 1000)).as(at).isEqualTo(function.purge(clock, 1000));
          continue;
        }
        if (random.nextInt(30) == 0 && !reservations.isEmpty()) {
          String id = reservations.remove(random.nextInt(reservations.size()));
          SettleRequest settle = new SettleRequest("s0", id, new long[] {random.nextInt(3)}, now);
          assertThat(fast.settle(settle)).as(at).isEqualTo(function.settle(settle));
          continue;
        }
        List<Integer> keys = new ArrayList<>(List.of(0, 1, 2, 3, 4));
        Collections.shuffle(keys, new java.util.Random(random.nextLong()));
        int n = 1 + random.nextInt(4);
        boolean hasMixed = false;
        List<Charge> charges = new ArrayList<>();
        int mixedLookback = random.nextInt(3) == 0 ? 2 : 0;
        for (int i = 0; i < n; i++) {
          long limit;
          long amount;
          switch (random.nextInt(10)) {
            case 0:
              limit = MAX - random.nextInt(3);
              amount = MAX - random.nextInt(20);
              break;
            case 1:
              limit = MAX;
              amount = random.nextInt(3) == 0 ? 0 : MAX / 2 + random.nextInt(3);
              break;
            default:
              limit = random.nextInt(25);
              amount = random.nextInt(4) == 0 ? 0 : random.nextInt(6);
          }
          hasMixed |= keys.get(i) == 4;
          charges.add(new Charge(slot(keys.get(i), now, mixedLookback), limit, amount));
        }
        Mode mode = Mode.ENFORCE;
        String id = null;
        int other = random.nextInt(12);
        if (other == 0) {
          mode = Mode.FORCE;
        } else if (other == 1) {
          mode = Mode.CHECK;
        } else if (other == 2) {
          id = "op-" + step;
        } else if (other == 3 && n == 1) {
          mode = Mode.RESERVE;
          id = "op-" + step;
          subject = "s0";
        }
        ConsumeRequest request = new ConsumeRequest(subject, charges, mode, id, now + HOUR, now);
        counting.reset();
        ConsumeResult expected = function.consume(request);
        ConsumeResult actual = fast.consume(request);
        assertThat(actual).as(at + " " + request).usingRecursiveComparison().isEqualTo(expected);
        if (mode == Mode.RESERVE && expected.status() == Status.APPLIED) {
          reservations.add(id);
        }
        if (!counting.prepared.isEmpty() && counting.prepared.get(0).contains("_consume_fast(")) {
          fastStatements++;
          if (counting.prepared.size() == 1 && !hasMixed) {
            answered++;
          }
        }
        assertThat(rows(pool, "fast_")).as(at + " rows after " + request).isEqualTo(rows(pool, "slow_"));
      }
    }
    // most requests are for the fast statement, and most of those it answers itself
    assertThat(fastStatements).isGreaterThan(1000);
    assertThat(answered).isGreaterThan(400);
  }

  /**
   * A schema made before the fast function existed: consumes take the general function, exactly, after
   * one failed call of the fast one, alone and in batches.
   */
  @Test
  void withoutTheFastFunctionConsumesTakeTheGeneralOne() throws SQLException {
    DataSource pool = Databases.postgresPool();
    JdbcUsageCounter.builder(pool).tablePrefix("nofast_").createSchemaIfMissing(true).build();
    Databases.truncate(pool, "nofast_");
    try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
      s.execute("DROP FUNCTION nofast_counter_consume_fast");
    }
    CountingDataSource counting = new CountingDataSource(pool);
    JdbcUsageCounter counter = JdbcUsageCounter.builder(counting.dataSource).tablePrefix("nofast_").build();
    List<Charge> charges = List.of(new Charge(slot(0, T0, 0), 3, 1), new Charge(slot(3, T0, 0), 100, 1));
    List<List<String>> statements = new ArrayList<>();
    List<Status> statuses = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      counting.reset();
      statuses.add(counter.consume(new ConsumeRequest("u", charges, Mode.ENFORCE, null, 0, T0)).status());
      statements.add(counting.prepared.stream().map(sql -> sql.substring(0, sql.indexOf('('))).toList());
    }
    assertThat(statuses).containsExactly(Status.APPLIED, Status.APPLIED, Status.APPLIED, Status.DENIED);
    String fast = "SELECT nofast_counter_consume_fast";
    String general = "SELECT nofast_counter_consume";
    assertThat(statements).containsExactly(List.of(fast, general), List.of(general), List.of(general),
        List.of(general));
    assertThat(counter.consumeAsOneBatch(List.of(
        new ConsumeRequest("v", charges, Mode.ENFORCE, null, 0, T0),
        new ConsumeRequest("u", charges, Mode.ENFORCE, null, 0, T0))))
        .extracting(ConsumeResult::status).containsExactly(Status.APPLIED, Status.DENIED);
    assertThat(counter.snapshot("u", T0)).extracting(u -> u.used()).containsExactlyInAnyOrder(3L, 3L);
  }

  /**
   * Coalesced batches of random requests (several subjects, shared cells, small and huge limits, lagging
   * clocks, now and then a request the fast function does not take) must answer and write exactly as the
   * requests run one after another: with the fast function, and with the batch function alone.
   */
  @Test
  void batchesAnswerAndWriteLikeConsumesOneAfterAnother() {
    DataSource pool = Databases.postgresPool();
    CountingDataSource counting = new CountingDataSource(pool);
    JdbcUsageCounter fast = JdbcUsageCounter.builder(counting.dataSource).tablePrefix("bfast_")
        .createSchemaIfMissing(true).build();
    JdbcUsageCounter function = JdbcUsageCounter.builder(pool).tablePrefix("bslow_")
        .createSchemaIfMissing(true).fastConsume(false).build();
    JdbcUsageCounter serial = JdbcUsageCounter.builder(pool).tablePrefix("bserial_")
        .createSchemaIfMissing(true).coalesceConsumes(false).fastConsume(false).build();
    int fastBatches = 0;
    int deniedBatches = 0;
    for (long seed = 1; seed <= 5; seed++) {
      for (String prefix : List.of("bfast_", "bslow_", "bserial_")) {
        Databases.truncate(pool, prefix);
      }
      SplittableRandom random = new SplittableRandom(seed);
      long clock = T0;
      for (int step = 0; step < 150; step++) {
        clock += random.nextInt(6) == 0 ? random.nextLong(40 * MINUTE) : random.nextLong(MINUTE);
        int size = 1 + random.nextInt(6);
        boolean roomy = random.nextInt(3) > 0;
        boolean plain = random.nextInt(3) > 0; // every request for the fast function
        List<ConsumeRequest> batch = new ArrayList<>();
        for (int r = 0; r < size; r++) {
          long now = random.nextInt(8) == 0 ? clock - random.nextLong(2 * HOUR) : clock;
          List<Integer> keys = new ArrayList<>(List.of(0, 1, 2, 3, 4));
          Collections.shuffle(keys, new java.util.Random(random.nextLong()));
          int n = 1 + random.nextInt(4);
          List<Charge> charges = new ArrayList<>();
          for (int i = 0; i < n; i++) {
            int key = keys.get(i) == 4 && random.nextInt(4) > 0 ? 0 : keys.get(i);
            if (key == 0 && charges.stream().anyMatch(c -> c.slot().key().equals("a@hour"))) {
              continue;
            }
            long limit;
            long amount;
            switch (roomy ? 1 + random.nextInt(12) : random.nextInt(12)) {
              case 0:
                limit = MAX - random.nextInt(3);
                amount = MAX / 3 + random.nextInt(3);
                break;
              case 1:
                limit = MAX;
                amount = 0;
                break;
              default:
                limit = roomy ? 1_000_000 + random.nextInt(1000) : random.nextInt(30);
                amount = random.nextInt(5) == 0 ? 0 : random.nextInt(6);
            }
            charges.add(new Charge(slot(key, now, !plain && random.nextInt(3) == 0 ? 2 : 0), limit, amount));
          }
          Mode mode = !plain && random.nextInt(8) == 0 ? Mode.FORCE : Mode.ENFORCE;
          String id = !plain && random.nextInt(8) == 0 ? "op-" + seed + "-" + step + "-" + r : null;
          batch.add(new ConsumeRequest("s" + random.nextInt(3), charges, mode, id, now + HOUR, now));
        }
        String at = "seed " + seed + " step " + step + " " + batch;
        List<ConsumeResult> expected = new ArrayList<>();
        for (ConsumeRequest request : batch) {
          expected.add(serial.consume(request));
        }
        counting.reset();
        List<ConsumeResult> actual = fast.consumeAsOneBatch(batch);
        if (size > 1 && counting.prepared.size() == 1 && counting.prepared.get(0).contains("_consume_fast(")) {
          fastBatches++;
        }
        if (size > 1 && expected.stream().anyMatch(e -> e.status() == Status.DENIED)) {
          deniedBatches++;
        }
        assertThat(actual).as(at).usingRecursiveComparison().isEqualTo(expected);
        assertThat(function.consumeAsOneBatch(batch)).as(at).usingRecursiveComparison().isEqualTo(expected);
        // a batch locks all of its cells first, inserting uncharged placeholders where rows are missing, so
        // it may leave placeholders that one consume after another does not: compare the charged rows
        assertThat(chargedRows(pool, "bfast_")).as(at).isEqualTo(chargedRows(pool, "bserial_"));
        assertThat(chargedRows(pool, "bslow_")).as(at).isEqualTo(chargedRows(pool, "bserial_"));
      }
    }
    // batches of several requests that the fast function answered alone, and batches with denials
    assertThat(fastBatches).isGreaterThan(100);
    assertThat(deniedBatches).isGreaterThan(50);
  }

  /**
   * Four instances (pools) of eight threads, half of them coalescing, charge small limits of few subjects
   * on calendar windows, some with a clock lagging into the previous hour: the stored usage of each cell is
   * exactly the sum of the applied amounts, and never more than its limit.
   */
  @Test
  void concurrentFastConsumesCountExactlyAndNeverPassALimit() throws Exception {
    String prefix = "fastmt_";
    DataSource shared = Databases.postgresPool();
    JdbcUsageCounter setup = JdbcUsageCounter.builder(shared).tablePrefix(prefix)
        .createSchemaIfMissing(true).build();
    Databases.truncate(shared, prefix);
    int subjects = 3;
    long now = T0 + 30 * MINUTE;
    long[] limits = {40, 55, 70, 85, 100, 1000};
    // create the rows in the current periods, so that every lagging charge counts into them
    for (int s = 0; s < subjects; s++) {
      List<Charge> zero = new ArrayList<>();
      for (int k = 0; k < limits.length; k++) {
        zero.add(new Charge(calendar(k, now), limits[k], 0));
      }
      assertThat(setup.consume(new ConsumeRequest("m" + s, zero, Mode.ENFORCE, null, 0, now)).status())
          .isEqualTo(Status.APPLIED);
    }
    int instances = 4;
    int threads = 8;
    int ops = 150;
    String url = Databases.postgres().getJdbcUrl("postgres", "postgres");
    List<HikariDataSource> pools = new ArrayList<>();
    List<JdbcUsageCounter> counters = new ArrayList<>();
    for (int i = 0; i < instances; i++) {
      HikariDataSource pool = Databases.pool(url, "postgres", "", threads);
      pools.add(pool);
      counters.add(JdbcUsageCounter.builder(pool).tablePrefix(prefix).coalesceConsumes(i % 2 == 0).build());
    }
    Map<String, AtomicLong> applied = new ConcurrentHashMap<>();
    AtomicLong denied = new AtomicLong();
    ExecutorService executor = Executors.newFixedThreadPool(instances * threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> futures = new ArrayList<>();
    try {
      for (int i = 0; i < instances * threads; i++) {
        JdbcUsageCounter counter = counters.get(i % instances);
        long seed = i;
        futures.add(executor.submit(() -> {
          SplittableRandom random = new SplittableRandom(seed);
          start.await();
          for (int op = 0; op < ops; op++) {
            String subject = "m" + random.nextInt(subjects);
            long at = random.nextInt(4) == 0 ? now - 20 * MINUTE - random.nextLong(20 * MINUTE) : now;
            List<Integer> keys = new ArrayList<>(List.of(0, 1, 2, 3, 4, 5));
            Collections.shuffle(keys, new java.util.Random(random.nextLong()));
            int n = 1 + random.nextInt(6);
            List<Charge> charges = new ArrayList<>();
            for (int j = 0; j < n; j++) {
              int k = keys.get(j);
              charges.add(new Charge(calendar(k, at), limits[k], random.nextInt(4)));
            }
            ConsumeResult result = counter.consume(new ConsumeRequest(subject, charges, Mode.ENFORCE, null, 0, at));
            if (result.status() == Status.APPLIED) {
              for (Charge charge : charges) {
                applied.computeIfAbsent(subject + "/" + charge.slot().key(), x -> new AtomicLong())
                    .addAndGet(charge.amount());
              }
            } else {
              assertThat(result.status()).isEqualTo(Status.DENIED);
              denied.incrementAndGet();
            }
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> future : futures) {
        future.get(3, TimeUnit.MINUTES);
      }
    } finally {
      executor.shutdownNow();
      pools.forEach(HikariDataSource::close);
    }
    assertThat(denied.get()).as("the limits were reached").isPositive();
    for (int s = 0; s < subjects; s++) {
      for (int k = 0; k < limits.length; k++) {
        Slot slot = calendar(k, now);
        String cell = "m" + s + "/" + slot.key();
        long sum = applied.getOrDefault(cell, new AtomicLong()).get();
        long stored = setup.snapshot("m" + s, now).stream().filter(u -> u.key().equals(slot.key()))
            .mapToLong(u -> u.used()).sum();
        assertThat(stored).as(cell).isEqualTo(sum).isLessThanOrEqualTo(limits[k]);
      }
    }
  }

  /** Hour, 3 hours, 12 hours, day, week (from a Monday) and 30 days, all without lookback. */
  private static Slot calendar(int k, long at) {
    long[] lengths = {HOUR, 3 * HOUR, 12 * HOUR, DAY, 7 * DAY, 30 * DAY};
    long length = lengths[k];
    long start = Math.floorDiv(at, length) * length;
    return new Slot("w" + k, start, start + length, 0);
  }
}
