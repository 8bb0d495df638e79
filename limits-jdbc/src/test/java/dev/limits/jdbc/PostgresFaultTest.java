package dev.limits.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.limits.spi.Charge;
import dev.limits.spi.ConsumeRequest;
import dev.limits.spi.ConsumeRequest.Mode;
import dev.limits.spi.ConsumeResult;
import dev.limits.spi.ConsumeResult.Status;
import dev.limits.spi.Slot;
import dev.limits.spi.StorageException;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Consumes and refunds with operation ids while backends are killed with {@code pg_terminate_backend} and
 * the database restarts on its data directory. Whatever threw {@link StorageException} is in doubt and is
 * resolved by retrying it with its operation id; afterwards every counter equals the operations applied.
 * Consumes are coalesced, so a killed backend may take a whole batch with it. Beside them, consumes without
 * an operation id on a subject of their own: its counter equals those answered, plus at most those whose
 * failure said the outcome was unknown (never one that said nothing was changed).
 */
class PostgresFaultTest {

  private static final long T0 = 1_767_225_600_000L;
  private static final long DAY = 86_400_000L;
  private static final int THREADS = 6;
  private static final int OPS = 150;
  private static final Slot MESSAGES = new Slot("messages@day", T0, T0 + DAY, 0);
  private static final Slot TOKENS = new Slot("tokens@day", T0, T0 + DAY, 0);

  private volatile EmbeddedPostgres postgres;

  @Test
  void everyCounterEqualsTheOperationsAppliedAfterKilledBackendsAndARestart() throws Exception {
    Path dataDirectory = Files.createTempDirectory("limits-pg-fault");
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    postgres = start(dataDirectory, port);
    String url = postgres.getJdbcUrl("postgres", "postgres");
    HikariDataSource pool = Databases.pool(url, "postgres", "", THREADS);
    pool.setConnectionTimeout(1000);
    JdbcUsageCounter counter = JdbcUsageCounter.builder(pool).tablePrefix("fault_").createSchemaIfMissing(true)
        .coalesceConsumes(true).maxRetries(3).build();
    // Half the threads never retry, so that some operations surely end in doubt and are resolved below.
    JdbcUsageCounter noRetries = JdbcUsageCounter.builder(pool).tablePrefix("fault_").coalesceConsumes(true).maxRetries(0)
        .build();

    Queue<ConsumeRequest> applied = new ConcurrentLinkedQueue<>();
    Queue<ConsumeRequest> inDoubt = new ConcurrentLinkedQueue<>();
    AtomicInteger failures = new AtomicInteger();
    AtomicInteger keylessApplied = new AtomicInteger();
    AtomicInteger keylessUnknown = new AtomicInteger();
    AtomicInteger keylessNotApplied = new AtomicInteger();
    AtomicInteger running = new AtomicInteger(THREADS);
    AtomicInteger progress = new AtomicInteger();
    AtomicLong terminated = new AtomicLong();
    AtomicInteger restarts = new AtomicInteger();
    ExecutorService executor = Executors.newFixedThreadPool(THREADS + 1);
    List<Future<?>> futures = new ArrayList<>();
    try {
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        futures.add(executor.submit(() -> {
          SplittableRandom random = new SplittableRandom(thread);
          int confirmedConsumes = 0;
          int refundsIssued = 0;
          for (int i = 0; i < OPS; i++) {
            String id = "t" + thread + "-" + i;
            ConsumeRequest request;
            // A refund only follows consumes known to be applied, so it never hits the floor of zero.
            if (i % 7 == 6 && confirmedConsumes > refundsIssued) {
              refundsIssued++;
              request = new ConsumeRequest("tenant", List.of(new Charge(MESSAGES, Long.MAX_VALUE, 1)),
                  Mode.REFUND, id, T0 + DAY, T0 + i);
            } else {
              request = new ConsumeRequest("tenant", List.of(new Charge(MESSAGES, 1_000_000, 1),
                  new Charge(TOKENS, 1_000_000_000, 1 + random.nextInt(100))), Mode.ENFORCE, id, T0 + DAY, T0 + i);
            }
            try {
              ConsumeResult result = (thread % 2 == 0 ? counter : noRetries).consume(request);
              assertThat(result.status()).as("%s: %s", id, result).isIn(Status.APPLIED, Status.DUPLICATE);
              applied.add(request);
              if (request.mode() == Mode.ENFORCE) {
                confirmedConsumes++;
              }
            } catch (StorageException e) {
              failures.incrementAndGet();
              inDoubt.add(request);
            }
            if (i % 2 == 0) {
              try {
                ConsumeResult result = (thread % 2 == 0 ? counter : noRetries).consume(new ConsumeRequest("keyless",
                    List.of(new Charge(MESSAGES, 1_000_000, 1)), Mode.ENFORCE, null, 0, T0 + i));
                assertThat(result.status()).isEqualTo(Status.APPLIED);
                keylessApplied.incrementAndGet();
              } catch (StorageException e) {
                (e.outcomeUnknown() ? keylessUnknown : keylessNotApplied).incrementAndGet();
              }
            }
            progress.incrementAndGet();
          }
          running.decrementAndGet();
          return null;
        }));
      }
      futures.add(executor.submit(() -> {
        // Faults at fixed points of progress, so that they land mid-run however fast the machine is.
        int[] percents = {10, 20, 35, 50, 65, 80};
        int next = 0;
        long lastKill = System.nanoTime();
        while (running.get() > 0) {
          Thread.sleep(20);
          if (next < percents.length && progress.get() * 100 >= (long) percents[next] * THREADS * OPS) {
            if (percents[next++] == 35) {
              postgres.close(); // fast shutdown; the data directory stays
              postgres = start(dataDirectory, port);
              restarts.incrementAndGet();
            } else {
              terminated.addAndGet(terminateBackends(url));
            }
            lastKill = System.nanoTime();
          } else if (System.nanoTime() - lastKill > 100_000_000L) {
            terminated.addAndGet(terminateBackends(url));
            lastKill = System.nanoTime();
          }
        }
        return null;
      }));
      for (Future<?> future : futures) {
        future.get(2, TimeUnit.MINUTES);
      }

      // Resolve what is in doubt: the same operation id either applies it now or answers DUPLICATE.
      for (ConsumeRequest request : inDoubt) {
        assertThat(retryUntilAnswered(counter, request).status()).isIn(Status.APPLIED, Status.DUPLICATE);
        applied.add(request);
      }

      long messages = 0;
      long tokens = 0;
      for (ConsumeRequest request : applied) {
        if (request.mode() == Mode.REFUND) {
          messages--;
        } else {
          messages++;
          tokens += request.charges().get(1).amount();
        }
      }
      assertThat(applied).hasSize(THREADS * OPS);
      assertThat(restarts.get()).isEqualTo(1);
      assertThat(terminated.get()).as("backends terminated").isPositive();
      System.out.printf("PostgresFaultTest: %d backends terminated, 1 restart, %d operations in doubt; without an"
          + " id: %d answered, %d failed with the outcome unknown, %d failed having changed nothing%n",
          terminated.get(), failures.get(), keylessApplied.get(), keylessUnknown.get(), keylessNotApplied.get());
      // The pool may still hold connections killed at the very end: a check is safe to repeat.
      ConsumeResult stored = retryUntilAnswered(counter, new ConsumeRequest("tenant", List.of(
          new Charge(MESSAGES, Long.MAX_VALUE, 0), new Charge(TOKENS, Long.MAX_VALUE, 0)), Mode.CHECK, null, 0,
          T0 + OPS));
      assertThat(stored.used(0)).as("messages").isEqualTo(messages);
      assertThat(stored.used(1)).as("tokens").isEqualTo(tokens);
      long keyless = retryUntilAnswered(counter, new ConsumeRequest("keyless", List.of(
          new Charge(MESSAGES, Long.MAX_VALUE, 0)), Mode.CHECK, null, 0, T0 + OPS)).used(0);
      assertThat(keyless).as("consumes without an id").isBetween((long) keylessApplied.get(),
          (long) keylessApplied.get() + keylessUnknown.get());
      try (Connection c = DriverManager.getConnection(url, "postgres", ""); Statement st = c.createStatement();
           ResultSet rs = st.executeQuery("SELECT count(*) FROM fault_operation")) {
        rs.next();
        assertThat(rs.getLong(1)).as("operation ids remembered").isEqualTo(THREADS * OPS);
      }
    } finally {
      executor.shutdownNow();
      pool.close();
      postgres.close();
      try (Stream<Path> files = Files.walk(dataDirectory)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static EmbeddedPostgres start(Path dataDirectory, int port) throws IOException {
    return EmbeddedPostgres.builder().setDataDirectory(dataDirectory).setCleanDataDirectory(false)
        .setPort(port).start();
  }

  /** Kills every other client backend; returns how many. Failures while the database restarts count 0. */
  private static long terminateBackends(String url) {
    try (Connection c = DriverManager.getConnection(url, "postgres", "");
         Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))"
             + " FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()")) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      return 0;
    }
  }

  private static ConsumeResult retryUntilAnswered(JdbcUsageCounter counter, ConsumeRequest request)
      throws InterruptedException {
    for (int attempt = 0; ; attempt++) {
      try {
        return counter.consume(request);
      } catch (StorageException e) {
        if (attempt == 20) {
          throw e;
        }
        Thread.sleep(100);
      }
    }
  }
}
