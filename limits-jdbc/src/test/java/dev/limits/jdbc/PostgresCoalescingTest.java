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
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Sixteen threads on two counters (two pools, as two processes would be) send mixed consumes, with
 * operation ids drawn from a small shared pool so that duplicates are in flight at once, to one hot subject
 * and three subjects with small limits. Coalesced batches must answer each request as a serial run would:
 * the final counters equal the amounts answered APPLIED, an id is applied at most once, every DUPLICATE
 * (or MISMATCH, the id reused with other amounts) names an id applied by someone, and no enforced answer
 * passes a limit.
 */
class PostgresCoalescingTest {

  private static final long T0 = 1_767_225_600_000L;
  private static final long HOUR = 3_600_000L;
  private static final long DAY = 24 * HOUR;
  private static final int COUNTERS = 2;
  private static final int THREADS = 16;
  private static final int OPS = 150;
  private static final String[] SUBJECTS = {"hot", "small-1", "small-2", "small-3"};

  private record Answer(ConsumeRequest request, ConsumeResult result) {}

  private static long limit(String subject, String key) {
    boolean hot = subject.equals("hot");
    switch (key) {
      case "messages@hour":
        return hot ? 900 : 40;
      case "messages@rolling":
        return hot ? 1000 : 45;
      default:
        return hot ? 20_000 : 600;
    }
  }

  private static List<Charge> charges(String subject, long tokens) {
    return List.of(
        new Charge(new Slot("messages@hour", T0, T0 + HOUR, 0), limit(subject, "messages@hour"), 1),
        new Charge(new Slot("messages@rolling", T0, T0 + 60_000, 9), limit(subject, "messages@rolling"), 1),
        new Charge(new Slot("tokens@day", T0, T0 + DAY, 0), limit(subject, "tokens@day"), tokens));
  }

  @Test
  void coalescedBatchesAnswerEachRequestAsASerialRunWould() throws Exception {
    String prefix = "coal_";
    JdbcUsageCounter reader = JdbcUsageCounter.builder(Databases.postgresPool()).tablePrefix(prefix)
        .createSchemaIfMissing(true).build();
    Databases.truncate(Databases.postgresPool(), prefix);
    String url = Databases.postgres().getJdbcUrl("postgres", "postgres");
    List<HikariDataSource> pools = new ArrayList<>();
    List<JdbcUsageCounter> counters = new ArrayList<>();
    List<CountingDataSource> counted = new ArrayList<>();
    for (int i = 0; i < COUNTERS; i++) {
      HikariDataSource pool = Databases.pool(url, "postgres", "", 8);
      pools.add(pool);
      CountingDataSource counting = new CountingDataSource(pool);
      counted.add(counting);
      counters.add(JdbcUsageCounter.builder(counting.dataSource).dialect(JdbcDialect.POSTGRESQL)
          .tablePrefix(prefix).coalesceConsumes(true).build());
    }
    Queue<Answer> answers = new ConcurrentLinkedQueue<>();
    ExecutorService executor = Executors.newFixedThreadPool(THREADS);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> futures = new ArrayList<>();
    try {
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        JdbcUsageCounter counter = counters.get(t % COUNTERS);
        SplittableRandom random = new SplittableRandom(t);
        futures.add(executor.submit(() -> {
          start.await();
          Map<String, Integer> ownMessages = new HashMap<>(); // applied minus refunded, per subject
          for (int i = 0; i < OPS; i++) {
            String subject = SUBJECTS[random.nextBoolean() ? 0 : random.nextInt(SUBJECTS.length)];
            int kind = random.nextInt(10);
            // ids from a small pool shared by all threads: the same id is often in flight twice at once
            String id = random.nextBoolean() ? "op-" + random.nextInt(60) : null;
            ConsumeRequest request;
            if (kind == 0) {
              request = new ConsumeRequest(subject, charges(subject, 0), Mode.CHECK, null, 0, T0 + i);
            } else if (kind == 1 && subject.equals("hot")) {
              request = new ConsumeRequest(subject, charges(subject, 1 + random.nextInt(20)), Mode.FORCE, id,
                  T0 + DAY, T0 + i);
            } else if (kind == 2 && ownMessages.getOrDefault(subject, 0) > 0) {
              // refunds only what this thread applied, so that no cell ever hits the floor of zero
              request = new ConsumeRequest(subject,
                  List.of(new Charge(new Slot("messages@hour", T0, T0 + HOUR, 0), Long.MAX_VALUE, 1)),
                  Mode.REFUND, "refund-" + thread + "-" + i, T0 + DAY, T0 + i);
            } else if (kind == 3) {
              request = new ConsumeRequest(subject, charges(subject, 1 + random.nextInt(20)), Mode.RESERVE,
                  "r-" + random.nextInt(60), T0 + DAY, T0 + i);
            } else {
              request = new ConsumeRequest(subject, charges(subject, 1 + random.nextInt(20)), Mode.ENFORCE, id,
                  T0 + DAY, T0 + i);
            }
            ConsumeResult result = counter.consume(request);
            answers.add(new Answer(request, result));
            if (result.status() == Status.APPLIED && request.mode() != Mode.CHECK) {
              int delta = request.mode() == Mode.REFUND ? -1 : 1;
              ownMessages.merge(subject, delta, Integer::sum);
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

    Map<String, Long> expected = new HashMap<>();
    Map<String, Integer> appliedIds = new HashMap<>();
    Set<String> duplicateIds = new HashSet<>();
    Map<Status, Integer> statuses = new HashMap<>();
    int holds = 0;
    for (Answer answer : answers) {
      ConsumeRequest request = answer.request();
      ConsumeResult result = answer.result();
      statuses.merge(result.status(), 1, Integer::sum);
      String id = request.operationId() == null ? null : request.subject() + "/" + request.operationId();
      if (result.status() == Status.DUPLICATE || result.status() == Status.MISMATCH) {
        assertThat(id).as("a duplicate without an id: %s", request).isNotNull();
        duplicateIds.add(id);
        continue;
      }
      if (request.mode() == Mode.ENFORCE || request.mode() == Mode.RESERVE || request.mode() == Mode.CHECK) {
        for (int c = 0; c < request.charges().size(); c++) {
          Charge charge = request.charges().get(c);
          if (result.status() == Status.APPLIED) {
            assertThat(result.used(c)).as("%s answered %s", request, result).isLessThanOrEqualTo(charge.limit());
            assertThat(result.fits(c)).isTrue();
          }
        }
      }
      if (result.status() != Status.APPLIED || request.mode() == Mode.CHECK) {
        continue;
      }
      if (id != null) {
        appliedIds.merge(id, 1, Integer::sum);
      }
      if (request.mode() == Mode.RESERVE) {
        holds += request.charges().size();
      }
      for (Charge charge : request.charges()) {
        long amount = request.mode() == Mode.REFUND ? -charge.amount() : charge.amount();
        expected.merge(request.subject() + "/" + charge.slot().key(), amount, Long::sum);
      }
    }
    assertThat(answers).hasSize(THREADS * OPS);
    int statements = counted.stream().mapToInt(c -> c.executions.get()).sum();
    System.out.printf("PostgresCoalescingTest: %d consumes in %d statements, %s%n", THREADS * OPS, statements,
        statuses);
    assertThat(statements).as("requests were coalesced").isLessThan(THREADS * OPS * 9 / 10);
    assertThat(statuses).as("every outcome occurs")
        .containsKeys(Status.APPLIED, Status.DENIED, Status.DUPLICATE, Status.MISMATCH);
    assertThat(appliedIds.values()).as("no operation id applied twice").allMatch(count -> count == 1);
    assertThat(appliedIds.keySet()).as("every DUPLICATE names an id applied").containsAll(duplicateIds);

    for (String subject : SUBJECTS) {
      Map<String, Long> stored = new HashMap<>();
      for (SlotUsage usage : reader.snapshot(subject, T0 + OPS)) {
        stored.put(usage.key(), usage.used());
      }
      for (String key : List.of("messages@hour", "messages@rolling", "tokens@day")) {
        long want = expected.getOrDefault(subject + "/" + key, 0L);
        assertThat(stored.getOrDefault(key, 0L)).as("%s %s", subject, key).isEqualTo(want);
        if (!subject.equals("hot")) {
          assertThat(want).as("%s %s within its limit", subject, key).isLessThanOrEqualTo(limit(subject, key));
        }
      }
    }
    try (Connection c = Databases.postgresPool().getConnection(); Statement st = c.createStatement()) {
      try (ResultSet rs = st.executeQuery("SELECT count(*) FROM coal_operation")) {
        rs.next();
        assertThat(rs.getLong(1)).as("operation ids remembered").isEqualTo(appliedIds.size());
      }
      try (ResultSet rs = st.executeQuery("SELECT count(*) FROM coal_hold")) {
        rs.next();
        assertThat(rs.getLong(1)).as("held charges").isEqualTo(holds);
      }
    }
  }
}
