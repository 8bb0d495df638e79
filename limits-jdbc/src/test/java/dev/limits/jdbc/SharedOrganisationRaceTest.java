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
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Two clients, each with its own counter and connection pool over one database as two processes would
 * have, eight threads between them, users of one organisation charging their own cells and the
 * organisation's pool in one request each. Each user has two threads, on different clients, one naming the
 * user first and one the organisation first, so without one locking order their requests would lock the
 * same rows in opposite orders and deadlock. The
 * counters run without retries: a deadlock (or any other failure) is not hidden by a retry but fails the
 * request and the test.
 */
class SharedOrganisationRaceTest {

  private static final long T0 = 1_767_225_600_000L;
  private static final long HOUR = 3_600_000L;
  private static final long DAY = 24 * HOUR;
  private static final int THREADS = 8;
  private static final int OPS = 40;
  private static final String ORG = "org-7";
  private static final String[] USERS = {"user-1", "user-2", "user-3", "user-4"};
  // The same key for the users and the organisation: each subject's cell is its own.
  private static final Slot TOKENS = new Slot("tokens@day", T0, T0 + DAY, 0);
  private static final Slot REQUESTS = new Slot("requests@hour", T0, T0 + HOUR, 0);
  private static final long USER_TOKENS = 60;
  private static final long ORG_TOKENS = 200;

  static Stream<Arguments> stores() {
    return Stream.of(Arguments.of("PostgreSQL, coalesced", Databases.postgresPool(), true),
        Arguments.of("PostgreSQL, not coalesced", Databases.postgresPool(), false),
        Arguments.of("H2", Databases.h2Pool(), false),
        Arguments.of("MariaDB", Databases.mariaDbPool(), false));
  }

  @ParameterizedTest(name = "{0}", autoCloseArguments = false) // the pools are shared
  @MethodSource("stores")
  void usersOfOneOrganisationCountExactlyNeverPassALimitAndNeverDeadlock(String name, DataSource database,
      boolean coalesce) throws Exception {
    String prefix = "orgrace_";
    JdbcUsageCounter.builder(database).tablePrefix(prefix).createSchemaIfMissing(true).build();
    Databases.truncate(database, prefix);
    List<HikariDataSource> pools = List.of(Databases.anotherPool(database, 4), Databases.anotherPool(database, 4));
    try {
      List<JdbcUsageCounter> clients = new ArrayList<>();
      for (HikariDataSource pool : pools) {
        clients.add(JdbcUsageCounter.builder(pool).tablePrefix(prefix).maxRetries(0).coalesceConsumes(coalesce)
            .build());
      }
      // Every cell exists before the race, as in a running system: no insert races, only lock order.
      for (String user : USERS) {
        clients.get(0).consume(request(user, true, 0, null));
      }

      AtomicLongArray applied = new AtomicLongArray(USERS.length);
      List<Callable<Void>> threads = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        threads.add(() -> {
          JdbcUsageCounter client = clients.get(thread % 2);
          // threads 2k and 2k + 1 share a user and name the subjects in opposite orders
          int user = (thread / 2) % USERS.length;
          for (int i = 0; i < OPS; i++) {
            // every fourth request carries an operation id: on PostgreSQL it takes the general function
            String id = i % 4 == 0 ? "op-" + thread + "-" + i : null;
            ConsumeResult result = client.consume(request(USERS[user], thread % 2 == 0, 1, id));
            assertThat(result.status()).as("thread %s, request %s", thread, i).isIn(Status.APPLIED, Status.DENIED);
            if (result.status() == Status.APPLIED) {
              applied.incrementAndGet(user);
            }
          }
          return null;
        });
      }
      ExecutorService executor = Executors.newFixedThreadPool(THREADS);
      try {
        for (Future<Void> future : executor.invokeAll(threads, 2, TimeUnit.MINUTES)) {
          future.get(); // a failure, or a thread still waiting after the bound, fails here
        }
      } finally {
        executor.shutdownNow();
      }

      long total = 0;
      for (int u = 0; u < USERS.length; u++) {
        assertThat(applied.get(u)).as("%s: %s applied", name, USERS[u]).isLessThanOrEqualTo(USER_TOKENS);
        assertThat(tokensUsed(clients.get(1), USERS[u])).as("%s: %s's tokens", name, USERS[u])
            .isEqualTo(applied.get(u));
        total += applied.get(u);
      }
      // 4 users of 60 could take 240: the pool of 200 runs dry, and holds exactly what was applied.
      assertThat(total).as(name).isEqualTo(ORG_TOKENS);
      assertThat(tokensUsed(clients.get(0), ORG)).as("%s: the organisation's pool", name).isEqualTo(total);
    } finally {
      pools.forEach(HikariDataSource::close);
    }
  }

  /**
   * One message of {@code user}: a token from the user's and from the organisation's pool, and a request
   * of the user's hour; the subjects and the charges named with the user first or the organisation first.
   */
  private static ConsumeRequest request(String user, boolean userFirst, long amount, @Nullable String id) {
    List<String> subjects = userFirst ? List.of(user, ORG) : List.of(ORG, user);
    int u = subjects.indexOf(user);
    int o = subjects.indexOf(ORG);
    List<Charge> userCharges = List.of(new Charge(u, TOKENS, USER_TOKENS, amount),
        new Charge(u, REQUESTS, 1_000, amount));
    Charge orgCharge = new Charge(o, TOKENS, ORG_TOKENS, amount);
    List<Charge> charges = new ArrayList<>();
    if (userFirst) {
      charges.addAll(userCharges);
      charges.add(orgCharge);
    } else {
      charges.add(orgCharge);
      charges.addAll(userCharges);
    }
    return new ConsumeRequest(subjects, charges, Mode.ENFORCE, id, id == null ? 0 : T0 + DAY, T0 + 1);
  }

  private static long tokensUsed(JdbcUsageCounter counter, String subject) {
    return counter.snapshot(subject, T0 + 2).stream().filter(u -> u.key().equals(TOKENS.key()))
        .mapToLong(SlotUsage::used).sum();
  }
}
