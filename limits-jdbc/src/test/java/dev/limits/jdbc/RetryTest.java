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
 * The retry policy, with failures injected between the counter and a real database: what the database
 * rolled back is retried, a broken connection only when the operation cannot have committed or carries an
 * operation id, anything else never.
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
          if (!onConnect && failures.getAndDecrement() > 0) {
            throw new SQLException("injected", state);
          }
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
    return JdbcUsageCounter.builder(faulty.dataSource).tablePrefix("retry_").dialect(setup.dialect())
        .maxRetries(maxRetries).build();
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
    assertThatThrownBy(() -> counter.consume(consume(null))).isInstanceOf(StorageException.class);
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
