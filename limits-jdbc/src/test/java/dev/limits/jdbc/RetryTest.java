package dev.limits.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.limits.spi.Charge;
import dev.limits.spi.ConsumeRequest;
import dev.limits.spi.ConsumeRequest.Mode;
import dev.limits.spi.ConsumeResult.Status;
import dev.limits.spi.Slot;
import dev.limits.spi.StorageException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * The retry policy, with failures injected between the counter and a real database: what surely was not
 * applied (the database said it rolled it back, or it was never sent) is retried, whatever the request; a
 * failure that leaves the outcome unknown only for a request with an operation id, otherwise it throws and
 * says that the outcome is unknown; anything else never.
 */
class RetryTest {

  private static final long T0 = 1_767_225_600_000L;
  private static final Slot DAY = new Slot("messages@day", T0, T0 + 86_400_000L, 0);

  /** Fails the next {@code failures} statement executions (or connection requests) with {@code state}. */
  private static final class Faulty {
    final AtomicInteger failures = new AtomicInteger();
    final AtomicInteger attempts = new AtomicInteger();
    volatile String state = "40001";
    volatile boolean onConnect;
    volatile boolean onCommit;
    final DataSource dataSource;

    Faulty(DataSource target) {
      dataSource = (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(),
          new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
            if (method.getName().equals("getConnection") && onConnect && failures.getAndDecrement() > 0) {
              throw new SQLException("injected", state);
            }
            Object result = invoke(method, target, args);
            return result instanceof Connection ? wrap(Connection.class, result) : result;
          });
    }

    private Object wrap(Class<?> type, Object target) {
      return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
        if (method.getName().startsWith("execute")) {
          attempts.incrementAndGet();
          if (!onConnect && !onCommit && failures.getAndDecrement() > 0) {
            throw new SQLException("injected", state);
          }
        }
        if (method.getName().equals("commit") && onCommit && failures.getAndDecrement() > 0) {
          // the commit went through, and then the connection broke before the answer came
          invoke(method, target, args);
          throw new SQLException("injected", state);
        }
        Object result = invoke(method, target, args);
        return result instanceof Statement ? wrap(method.getReturnType(), result) : result;
      });
    }

    private static Object invoke(java.lang.reflect.Method method, Object target, Object[] args) throws Throwable {
      try {
        return method.invoke(target, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
    }
  }

  private static ConsumeRequest consume(String id) {
    return new ConsumeRequest("u", List.of(new Charge(DAY, 100, 1)), Mode.ENFORCE, id, T0 + 86_400_000L, T0);
  }

  private static JdbcUsageCounter counter(Faulty faulty, DataSource real, int maxRetries) {
    JdbcUsageCounter setup = JdbcUsageCounter.builder(real).tablePrefix("retry_").createSchemaIfMissing(true)
        .build();
    Databases.truncate(real, "retry_");
    JdbcUsageCounter counter = JdbcUsageCounter.builder(faulty.dataSource).tablePrefix("retry_")
        .dialect(setup.dialect()).maxRetries(maxRetries).build();
    faulty.attempts.set(0); // the schema check at build()
    return counter;
  }

  @Test
  void whatTheDatabaseRolledBackIsRetriedUpToTheBound() {
    DataSource postgres = Databases.postgresPool();
    Faulty faulty = new Faulty(postgres);
    JdbcUsageCounter counter = counter(faulty, postgres, 3);

    faulty.failures.set(3); // serialization failures
    assertThat(counter.consume(consume(null)).status()).isEqualTo(Status.APPLIED);
    // three failed attempts, then the fast statement finds no row yet and the function creates it
    assertThat(faulty.attempts.get()).isEqualTo(5);

    faulty.state = "40P01"; // deadlocks, one more than the bound
    faulty.failures.set(4);
    faulty.attempts.set(0);
    assertThatThrownBy(() -> counter.consume(consume(null))).isInstanceOf(StorageException.class)
        .hasMessageContaining("4 attempts").hasRootCauseMessage("injected");
    assertThat(faulty.attempts.get()).isEqualTo(4);
    assertThat(counter.snapshot("u", T0)).singleElement().extracting(u -> u.used()).isEqualTo(1L);
  }

  @Test
  void aBrokenConnectionIsRetriedOnlyWhenThatIsSafe() {
    DataSource postgres = Databases.postgresPool();
    Faulty faulty = new Faulty(postgres);
    JdbcUsageCounter counter = counter(faulty, postgres, 3);
    faulty.state = "08006";

    // One statement in autocommit: it may have committed, so without an operation id it is not repeated.
    faulty.failures.set(1);
    assertThatThrownBy(() -> counter.consume(consume(null))).isInstanceOfSatisfying(StorageException.class,
        e -> assertThat(e.outcomeUnknown()).isTrue()).hasMessageContaining("may or may not have taken effect");
    assertThat(faulty.attempts.get()).isEqualTo(1);

    // With an operation id a repeat is harmless.
    faulty.failures.set(2);
    faulty.attempts.set(0);
    assertThat(counter.consume(consume("op-1")).status()).isEqualTo(Status.APPLIED);
    assertThat(faulty.attempts.get()).isEqualTo(3);

    // Failing to get a connection happens before anything was sent.
    faulty.onConnect = true;
    faulty.failures.set(2);
    assertThat(counter.consume(consume(null)).status()).isEqualTo(Status.APPLIED);
    assertThat(counter.snapshot("u", T0)).singleElement().extracting(u -> u.used()).isEqualTo(2L);
  }

  @Test
  void aBrokenConnectionBeforeTheCommitOfATransactionIsRetried() {
    DataSource mariaDb = Databases.mariaDbPool();
    Faulty faulty = new Faulty(mariaDb);
    JdbcUsageCounter counter = counter(faulty, mariaDb, 3);
    faulty.state = "08006";
    faulty.failures.set(2); // the first statements of two attempts; nothing was committed

    assertThat(counter.consume(consume(null)).status()).isEqualTo(Status.APPLIED);
    assertThat(counter.snapshot("u", T0)).singleElement().extracting(u -> u.used()).isEqualTo(1L);
  }

  /**
   * PostgreSQL answered the statement with an error (a terminated backend's 57P01, a shutdown, a statement
   * timeout, too many connections): its transaction did not commit, so the consume is retried even
   * without an operation id, and counted once. Retries exhausted, the failure says nothing was counted.
   */
  @Test
  void aStatementThePostgresqlServerRefusedIsRetriedWithoutAnOperationId() {
    DataSource postgres = Databases.postgresPool();
    Faulty faulty = new Faulty(postgres);
    JdbcUsageCounter counter = counter(faulty, postgres, 3);
    int attempts = 0;
    for (String state : new String[] {"57P01", "57P02", "57P03", "57014", "53300", "40001"}) {
      faulty.state = state;
      faulty.failures.set(2);
      assertThat(counter.consume(consume(null)).status()).as(state).isEqualTo(Status.APPLIED);
    }
    assertThat(counter.snapshot("u", T0)).singleElement().extracting(u -> u.used()).isEqualTo(6L);

    faulty.state = "57P01";
    faulty.failures.set(4);
    faulty.attempts.set(0);
    assertThatThrownBy(() -> counter.consume(consume(null))).isInstanceOfSatisfying(StorageException.class,
        e -> assertThat(e.outcomeUnknown()).isFalse())
        .hasMessageContaining("consume failed on POSTGRESQL after 4 attempts; nothing was changed");
    assertThat(faulty.attempts.get()).isEqualTo(4);
    assertThat(counter.snapshot("u", T0)).singleElement().extracting(u -> u.used()).isEqualTo(6L);
  }

  /** A broken connection during MariaDB's COMMIT: the transaction may have committed (here it did). */
  @Test
  void aBrokenConnectionDuringTheCommitLeavesTheOutcomeUnknown() {
    DataSource mariaDb = Databases.mariaDbPool();
    Faulty faulty = new Faulty(mariaDb);
    JdbcUsageCounter counter = counter(faulty, mariaDb, 3);
    faulty.state = "08000";
    faulty.onCommit = true;
    faulty.failures.set(1);

    assertThatThrownBy(() -> counter.consume(consume(null))).isInstanceOfSatisfying(StorageException.class,
        e -> assertThat(e.outcomeUnknown()).isTrue());
    assertThat(counter.snapshot("u", T0)).singleElement().extracting(u -> u.used()).isEqualTo(1L);

    // with an operation id the retry finds it committed and answers DUPLICATE: counted once
    faulty.failures.set(1);
    assertThat(counter.consume(consume("op-1")).status()).isEqualTo(Status.DUPLICATE);
    assertThat(counter.snapshot("u", T0)).singleElement().extracting(u -> u.used()).isEqualTo(2L);
  }

  @Test
  void anInterruptDuringTheBackOffEndsTheRetriesAndKeepsTheStatus() {
    DataSource h2 = Databases.h2Pool();
    Faulty faulty = new Faulty(h2);
    JdbcUsageCounter counter = counter(faulty, h2, 3);
    faulty.onConnect = true;
    faulty.failures.set(1);

    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> counter.consume(consume(null))).isInstanceOfSatisfying(StorageException.class,
          e -> {
            assertThat(e).hasMessageStartingWith("interrupted while waiting to retry; nothing was changed")
                .hasCauseInstanceOf(InterruptedException.class);
            assertThat(e.outcomeUnknown()).isFalse();
          });
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
    assertThat(counter.snapshot("u", T0)).isEmpty();
  }

  @Test
  void errorsNameWhatFailed() {
    DataSource h2 = Databases.h2Pool();
    Faulty faulty = new Faulty(h2);
    JdbcUsageCounter counter = counter(faulty, h2, 0);
    faulty.state = "42000";

    faulty.failures.set(1);
    assertThatThrownBy(() -> counter.consume(new ConsumeRequest("u", List.of(new Charge(DAY, 100, 0)), Mode.CHECK,
        null, 0, T0))).hasMessageStartingWith("usage read failed on H2");
    faulty.failures.set(1);
    assertThatThrownBy(() -> counter.snapshot("u", T0)).hasMessageStartingWith("usage snapshot failed on H2");
    faulty.failures.set(1);
    assertThatThrownBy(() -> counter.consume(new ConsumeRequest("u", List.of(new Charge(DAY, 100, 1)),
        Mode.RESERVE, "r-1", T0 + 1, T0))).hasMessageStartingWith("reservation failed on H2");
  }

  @Test
  void otherFailuresAreNotRetried() {
    DataSource h2 = Databases.h2Pool();
    Faulty faulty = new Faulty(h2);
    JdbcUsageCounter counter = counter(faulty, h2, 3);
    faulty.state = "42000";
    faulty.failures.set(1);

    assertThatThrownBy(() -> counter.consume(consume("op-1"))).isInstanceOf(StorageException.class)
        .hasMessageContaining("consume failed on H2").hasCauseInstanceOf(SQLException.class);
    assertThat(faulty.attempts.get()).isEqualTo(1);
  }
}
