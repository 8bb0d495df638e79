package dev.limits.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.jspecify.annotations.Nullable;

/**
 * The databases of the JDBC benchmarks: an embedded PostgreSQL 14 (zonky's binaries from Maven Central, no
 * Docker), in-memory H2, and the one HikariCP configuration every side uses.
 *
 * <p>{@link Profile} starts one PostgreSQL server for the whole run and hands it to each fork through the
 * system properties {@value #URL_PROPERTY} and {@value #PID_PROPERTY}, so that every benchmark (ours,
 * Bucket4j's and the floors) talks to the very same server. Without them (JMH's own main), a fork starts its
 * own server and stops it in its trial tear-down.
 */
final class Db {

  /** The JDBC URL of a running PostgreSQL server, set by {@link Profile} for the forks. */
  static final String URL_PROPERTY = "limits.bench.pg.url";

  /** The process id of that server's postmaster, for {@link CpuTimeProfiler}. */
  static final String PID_PROPERTY = "limits.bench.pg.pid";

  /**
   * Extra server settings for an embedded server started here, as {@code name=value,name=value}, for example
   * {@code fsync=on,synchronous_commit=on}; they win over zonky's ({@code fsync=off},
   * {@code synchronous_commit=off}) and {@link #SHARED_BUFFERS}.
   */
  static final String CONFIG_PROPERTY = "limits.bench.pg.config";

  /**
   * The server's buffer cache: large enough to hold the scale benchmark's million-row table and its index, as a
   * production server's would (zonky's default of 128 MB does not, and a row read from the operating system's
   * cache, or the disk, costs the server more than one in its own: 1M ÷ 1k went from 1.12× to 1.34 to 1.41×).
   */
  static final String SHARED_BUFFERS = "512MB";

  /** The pool size of every side: at least the largest thread count of any benchmark. */
  static final int POOL_SIZE = 8;

  private Db() {}

  /** A PostgreSQL server: its JDBC URL, the postmaster's pid, and whether closing it stops it. */
  static final class Server implements AutoCloseable {
    private final String url;
    private final long pid;
    private final @Nullable EmbeddedPostgres owned;

    private Server(String url, long pid, @Nullable EmbeddedPostgres owned) {
      this.url = url;
      this.pid = pid;
      this.owned = owned;
    }

    String url() {
      return url;
    }

    long pid() {
      return pid;
    }

    @Override
    public void close() {
      if (owned != null) {
        try {
          owned.close();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
  }

  /** The server named by the system properties, or a new embedded one that {@link Server#close} stops. */
  static Server postgres() {
    String url = System.getProperty(URL_PROPERTY);
    if (url != null) {
      return new Server(url, Long.parseLong(System.getProperty(PID_PROPERTY, "0")), null);
    }
    try {
      Path dir = Files.createTempDirectory("limits-bench-pg");
      EmbeddedPostgres pg = startPostgres(dir);
      return new Server(url(pg), pid(dir), pg);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@link #postgres()}, with its processes' CPU time counted by {@link CpuTimeProfiler} as the server's. */
  static Server profiledPostgres() {
    Server server = postgres();
    CpuTimeProfiler.server(server.pid());
    return server;
  }

  /** Starts an embedded PostgreSQL in {@code dataDir}, deleted again when it is closed. */
  static EmbeddedPostgres startPostgres(Path dataDir) throws IOException {
    EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder().setDataDirectory(dataDir)
        .setCleanDataDirectory(true).setServerConfig("shared_buffers", SHARED_BUFFERS);
    String config = System.getProperty(CONFIG_PROPERTY, "");
    for (String setting : config.split(",", -1)) {
      int eq = setting.indexOf('=');
      if (eq > 0) {
        builder.setServerConfig(setting.substring(0, eq).trim(), setting.substring(eq + 1).trim());
      }
    }
    return builder.start();
  }

  static String url(EmbeddedPostgres pg) {
    return pg.getJdbcUrl("postgres", "postgres");
  }

  /** The postmaster's pid: the first line of {@code postmaster.pid} in the data directory. */
  static long pid(Path dataDir) throws IOException {
    List<String> lines = Files.readAllLines(dataDir.resolve("postmaster.pid"), StandardCharsets.US_ASCII);
    return Long.parseLong(lines.get(0).trim());
  }

  /** The pool of every side, on PostgreSQL: {@value #POOL_SIZE} connections, opened up front. */
  static HikariDataSource pool(String url) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setMaximumPoolSize(POOL_SIZE);
    config.setMinimumIdle(POOL_SIZE);
    config.setConnectionTimeout(10_000);
    return new HikariDataSource(config);
  }

  /** The same pool on a fresh in-memory H2 database. */
  static HikariDataSource h2Pool() {
    JdbcDataSource h2 = new JdbcDataSource();
    h2.setURL("jdbc:h2:mem:bench" + System.nanoTime() + ";DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=5000");
    HikariConfig config = new HikariConfig();
    config.setDataSource(h2);
    config.setMaximumPoolSize(POOL_SIZE);
    config.setMinimumIdle(POOL_SIZE);
    return new HikariDataSource(config);
  }

  static void exec(DataSource dataSource, String... sql) {
    try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
      for (String s : sql) {
        st.execute(s);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(String.join("; ", sql), e);
    }
  }

  /** The rows of a query, each as its columns' strings. */
  static List<List<String>> query(DataSource dataSource, String sql) {
    try (Connection c = dataSource.getConnection(); Statement st = c.createStatement();
         ResultSet rs = st.executeQuery(sql)) {
      List<List<String>> rows = new ArrayList<>();
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<String> row = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
          row.add(String.valueOf(rs.getString(i)));
        }
        rows.add(row);
      }
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }

  /** The first column of the first row as a long (0 for SQL NULL). */
  static long queryLong(DataSource dataSource, String sql) {
    String v = query(dataSource, sql).get(0).get(0);
    return "null".equals(v) ? 0 : Long.parseLong(v);
  }

  /** The server's version and the settings a commit's cost depends on, as one line for the log. */
  static String postgresSettings(DataSource dataSource) {
    StringBuilder sb = new StringBuilder("PostgreSQL");
    for (String name : new String[] {"server_version", "fsync", "synchronous_commit", "full_page_writes",
        "wal_level", "shared_buffers", "max_connections"}) {
      sb.append(' ').append(name).append('=').append(query(dataSource, "SHOW " + name).get(0).get(0));
    }
    return sb.toString();
  }

  /** Runs {@code task} for 0 to {@code count - 1} on {@value #POOL_SIZE} threads; set-up work only. */
  static void parallel(int count, IntConsumer task) {
    ExecutorService pool = Executors.newFixedThreadPool(POOL_SIZE);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < POOL_SIZE; t++) {
        int first = t;
        futures.add(pool.submit(() -> {
          for (int i = first; i < count; i += POOL_SIZE) {
            task.accept(i);
          }
        }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    } finally {
      pool.shutdownNow();
      // Dead threads drop out of JMH's allocation count (on JDK 17 it sums the live threads): make sure
      // that the set-up or check threads are gone before the iteration they run in ends.
      awaitTermination(pool);
    }
  }

  private static void awaitTermination(ExecutorService pool) {
    try {
      if (!pool.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES)) {
        throw new IllegalStateException("set-up threads still running after a minute");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
