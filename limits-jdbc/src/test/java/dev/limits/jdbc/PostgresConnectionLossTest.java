package dev.limits.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.limits.Decision;
import dev.limits.LimitPolicy;
import dev.limits.LimitRequest;
import dev.limits.Limiter;
import dev.limits.Metric;
import dev.limits.Window;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Consumes without an idempotency key on a real PostgreSQL whose backends are terminated: one refused by
 * the server (the backend was gone before it ran) is retried and answered; one whose connection broke
 * while it was in flight is answered UNAVAILABLE with the outcome unknown, and may indeed have been counted.
 */
class PostgresConnectionLossTest {

  private static final Metric MESSAGES = Metric.count("messages");
  private static final LimitPolicy POLICY = LimitPolicy.builder("free").quota(MESSAGES, Window.day(), 30).build();

  @Test
  void consumesWithoutAKeyAreAnsweredAfterThePoolsIdleBackendsWereTerminated() throws SQLException {
    String application = "limits-loss-idle";
    HikariDataSource pool = pool(application, 0);
    try {
      JdbcUsageCounter counter = JdbcUsageCounter.builder(pool).tablePrefix("loss_").createSchemaIfMissing(true)
          .maxRetries(3).build();
      Databases.truncate(pool, "loss_");
      Limiter limiter = Limiter.builder(counter).build();
      int allowed = 0;
      long terminated = 0;
      for (int i = 0; i < 40; i++) {
        terminated += terminate(application);
        Decision d = limiter.consume(POLICY, LimitRequest.of("u").amount(MESSAGES, 1));
        assertThat(d.outcome()).as("consume %s: %s", i, d).isIn(Decision.Outcome.ALLOWED,
            Decision.Outcome.QUOTA_EXCEEDED);
        if (d.isAllowed()) {
          allowed++;
        }
      }
      assertThat(terminated).as("backends terminated").isPositive();
      assertThat(allowed).isEqualTo(30);
      assertThat(limiter.usage(POLICY, "u").quotas().get(0).used()).isEqualTo(allowed);
    } finally {
      pool.close();
    }
  }

  @Test
  void aConnectionLostWhileTheConsumeRanAnswersUnavailableWithTheOutcomeUnknown() throws Exception {
    // PgJDBC gives up reading after one second: the consume waits on a row lock meanwhile
    HikariDataSource pool = pool("limits-loss-inflight", 1);
    String url = Databases.postgres().getJdbcUrl("postgres", "postgres");
    try (Connection locker = DriverManager.getConnection(url, "postgres", "")) {
      JdbcUsageCounter counter = JdbcUsageCounter.builder(pool).tablePrefix("inflight_").createSchemaIfMissing(true)
          .maxRetries(3).build();
      Databases.truncate(pool, "inflight_");
      Limiter limiter = Limiter.builder(counter).build();
      LimitRequest request = LimitRequest.of("u").amount(MESSAGES, 1);
      assertThat(limiter.consume(POLICY, request).isAllowed()).isTrue();

      locker.setAutoCommit(false);
      try (Statement st = locker.createStatement()) {
        st.executeQuery("SELECT used FROM inflight_counter WHERE subject = 'u' FOR UPDATE").close();
      }
      Decision lost = limiter.consume(POLICY, request);
      assertThat(lost.outcome()).isEqualTo(Decision.Outcome.UNAVAILABLE);
      assertThat(lost.outcomeUnknown()).isTrue();

      // The server never saw the client go: once the lock is released, the statement runs and commits.
      locker.commit();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (used(locker) != 2 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(used(locker)).as("counted although answered UNAVAILABLE").isEqualTo(2);
    } finally {
      pool.close();
    }
  }

  private static long used(Connection c) throws SQLException {
    long used;
    try (Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT used FROM inflight_counter WHERE subject = 'u'")) {
      used = rs.next() ? rs.getLong(1) : -1;
    }
    c.commit(); // a fresh snapshot next time
    return used;
  }

  /** A pool of two connections whose backends carry {@code application}; with a socket timeout if positive. */
  private static HikariDataSource pool(String application, int socketTimeoutSeconds) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(Databases.postgres().getJdbcUrl("postgres", "postgres"));
    config.setUsername("postgres");
    config.setPassword("");
    config.setMaximumPoolSize(2);
    config.setConnectionTimeout(10_000);
    config.addDataSourceProperty("ApplicationName", application);
    if (socketTimeoutSeconds > 0) {
      config.addDataSourceProperty("socketTimeout", Integer.toString(socketTimeoutSeconds));
    }
    return new HikariDataSource(config);
  }

  /** Terminates the backends of {@code application}, waiting until each is gone; returns how many. */
  private static long terminate(String application) throws SQLException {
    String url = Databases.postgres().getJdbcUrl("postgres", "postgres");
    try (Connection c = DriverManager.getConnection(url, "postgres", "");
         PreparedStatement ps = c.prepareStatement("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 5000))"
             + " FROM pg_stat_activity WHERE application_name = ? AND pid <> pg_backend_pid()")) {
      ps.setString(1, application);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }
}
