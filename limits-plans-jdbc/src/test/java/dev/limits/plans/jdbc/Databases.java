package dev.limits.plans.jdbc;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;

/** Real databases started by the build, once per test JVM (a copy of limits-jdbc's test helper, smaller). */
final class Databases {

  private Databases() {}

  private static EmbeddedPostgres postgres;

  /** An embedded PostgreSQL (zonky binaries), shared by the tests of this JVM, with the plan tables. */
  static synchronized DataSource postgres() {
    if (postgres == null) {
      try {
        postgres = EmbeddedPostgres.builder().start();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          postgres.close();
        } catch (IOException e) {
          // the JVM is going away
        }
      }));
      runScript(postgres.getPostgresDatabase(), "postgresql.sql");
    }
    return postgres.getPostgresDatabase();
  }

  /** A fresh in-memory H2 database named {@code name}, with the plan tables. */
  static DataSource h2(String name) {
    JdbcDataSource h2 = new JdbcDataSource();
    h2.setURL("jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1");
    runScript(h2, "h2.sql");
    return h2;
  }

  /** Runs a shipped DDL file, statement by statement. */
  static void runScript(DataSource dataSource, String file) {
    String sql;
    try (InputStream in = PlanStore.class.getResourceAsStream(file)) {
      sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    StringBuilder noComments = new StringBuilder();
    for (String line : sql.split("\n")) {
      if (!line.trim().startsWith("--")) {
        noComments.append(line).append('\n');
      }
    }
    try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
      for (String statement : noComments.toString().split(";")) {
        if (!statement.isBlank()) {
          st.execute(statement);
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Runs {@code sql} statements. */
  static void exec(DataSource dataSource, String... sql) {
    try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
      for (String s : sql) {
        st.execute(s);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Empties the plan tables. */
  static void clear(DataSource dataSource) {
    exec(dataSource, "DELETE FROM limits_plan_setting", "DELETE FROM limits_plan", "DELETE FROM limits_message");
  }
}
