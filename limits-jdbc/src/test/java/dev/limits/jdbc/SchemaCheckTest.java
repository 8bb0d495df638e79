package dev.limits.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.limits.spi.Charge;
import dev.limits.spi.ConsumeRequest;
import dev.limits.spi.ConsumeRequest.Mode;
import dev.limits.spi.ConsumeResult.Status;
import dev.limits.spi.SettleRequest;
import dev.limits.spi.SettleResult;
import dev.limits.spi.Slot;
import dev.limits.spi.SlotUsage;
import dev.limits.spi.StorageException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * {@code build()} finds a missing or stale schema at once, naming what is missing and how to create it,
 * instead of every consume failing later; and its errors say what really failed.
 */
class SchemaCheckTest {

  private static List<DataSource> databases() {
    return List.of(Databases.postgresPool(), Databases.h2Pool(), Databases.mariaDbPool());
  }

  @Test
  void buildingOnADatabaseWithoutTheTablesNamesThemTheDdlAndCreateSchemaIfMissing() {
    for (DataSource dataSource : databases()) {
      JdbcDialect dialect = JdbcUsageCounter.builder(dataSource).tablePrefix("probe_").createSchemaIfMissing(true)
          .build().dialect();
      assertThatThrownBy(() -> JdbcUsageCounter.builder(dataSource).tablePrefix("bare_").build())
          .as(dialect.name())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("missing table bare_counter")
          .hasMessageContaining("table bare_operation")
          .hasMessageContaining("table bare_hold")
          .hasMessageContaining(dialect.schemaResource())
          .hasMessageContaining("createSchemaIfMissing(true)");
      // the same builder with createSchemaIfMissing creates it, and then a plain build passes
      JdbcUsageCounter.builder(dataSource).tablePrefix("made_").createSchemaIfMissing(true).build();
      assertThat(JdbcUsageCounter.builder(dataSource).tablePrefix("made_").build().dialect()).isEqualTo(dialect);
    }
  }

  @Test
  void aTableThatLacksAColumnTheCounterUsesIsNamed() throws SQLException {
    for (DataSource dataSource : databases()) {
      JdbcDialect dialect = JdbcUsageCounter.builder(dataSource).tablePrefix("stale_").createSchemaIfMissing(true)
          .build().dialect();
      execute(dataSource, "ALTER TABLE stale_hold DROP COLUMN charged_start");
      try {
        // creating the schema does not repair a stale table (CREATE TABLE IF NOT EXISTS): still found
        assertThatThrownBy(() -> JdbcUsageCounter.builder(dataSource).tablePrefix("stale_")
            .createSchemaIfMissing(true).build())
            .as(dialect.name())
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("missing table stale_hold with the columns")
            .hasMessageNotContaining("stale_counter")
            .hasMessageNotContaining("stale_operation")
            .message().containsIgnoringCase("charged_start");
      } finally {
        execute(dataSource, "DROP TABLE stale_hold");
      }
    }
  }

  /**
   * A hold table of an earlier version lacks {@code charged_subject}: {@code build()} names it, the
   * {@code ALTER TABLE} in the DDL's comment adds it, and a reservation held before (its holds' subject
   * NULL) settles on its own subject's cells.
   */
  @Test
  void anEarlierVersionsHoldTableIsMigratedByTheDocumentedAlterTable() throws SQLException {
    for (DataSource dataSource : databases()) {
      JdbcDialect dialect = JdbcUsageCounter.builder(dataSource).tablePrefix("old_").createSchemaIfMissing(true)
          .build().dialect();
      Databases.truncate(dataSource, "old_");
      try {
        JdbcUsageCounter counter = JdbcUsageCounter.builder(dataSource).tablePrefix("old_").build();
        long t0 = 1_767_225_600_000L;
        Slot day = new Slot("tokens@day", t0, t0 + 86_400_000L, 0);
        assertThat(counter.consume(new ConsumeRequest("u", List.of(new Charge(day, 1000, 600)), Mode.RESERVE,
            "r-1", t0 + 60_000, t0)).status()).isEqualTo(Status.APPLIED);
        // as an earlier version left it: no charged_subject column
        execute(dataSource, "ALTER TABLE old_hold DROP COLUMN charged_subject");
        assertThatThrownBy(() -> JdbcUsageCounter.builder(dataSource).tablePrefix("old_").build())
            .as(dialect.name())
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("missing table old_hold with the columns")
            .message().containsIgnoringCase("charged_subject");
        execute(dataSource, "ALTER TABLE old_hold ADD COLUMN charged_subject VARCHAR(191)");
        JdbcUsageCounter migrated = JdbcUsageCounter.builder(dataSource).tablePrefix("old_").build();
        assertThat(migrated.settle(new SettleRequest("u", "r-1", new long[] {250}, t0))).as(dialect.name())
            .isEqualTo(SettleResult.SETTLED);
        assertThat(migrated.snapshot("u", t0)).as(dialect.name()).extracting(SlotUsage::used).containsExactly(250L);
      } finally {
        execute(dataSource, "DROP TABLE old_hold");
      }
    }
  }

  @Test
  void aMissingFunctionIsNamedOnPostgresqlAndH2() throws SQLException {
    DataSource postgres = Databases.postgresPool();
    JdbcUsageCounter.builder(postgres).tablePrefix("nofn_").createSchemaIfMissing(true).build();
    execute(postgres, "DROP FUNCTION nofn_counter_sum");
    assertThatThrownBy(() -> JdbcUsageCounter.builder(postgres).tablePrefix("nofn_").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("missing function nofn_counter_sum with 8 arguments.")
        .hasMessageContaining("dev/limits/jdbc/postgresql.sql");
    // an older version's consume, one request per call, has the name but not the signature
    JdbcUsageCounter.builder(postgres).tablePrefix("nofn_").createSchemaIfMissing(true).build();
    execute(postgres, "DROP FUNCTION nofn_counter_consume");
    execute(postgres, "CREATE FUNCTION nofn_counter_consume(p_subject VARCHAR, p_keys VARCHAR[], p_starts BIGINT[],"
        + " p_ends BIGINT[], p_lookbacks INT[], p_limits BIGINT[], p_amounts BIGINT[], p_mode INT, p_op VARCHAR,"
        + " p_expires BIGINT, p_now BIGINT, p_fp BIGINT) RETURNS BIGINT[] LANGUAGE sql AS 'SELECT NULL::bigint[]'");
    assertThatThrownBy(() -> JdbcUsageCounter.builder(postgres).tablePrefix("nofn_").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("missing function nofn_counter_consume with 13 arguments.");
    // the DDL replaces it: the old signature is dropped, the new one created
    JdbcUsageCounter.builder(postgres).tablePrefix("nofn_").createSchemaIfMissing(true).build();
    assertThat(count(postgres, "SELECT count(*) FROM pg_proc WHERE proname = 'nofn_counter_consume'")).isEqualTo(1);
    // the fast function is optional: a schema made before it existed still serves
    JdbcUsageCounter.builder(postgres).tablePrefix("nofn_").createSchemaIfMissing(true).build();
    execute(postgres, "DROP FUNCTION nofn_counter_consume_fast");
    assertThat(JdbcUsageCounter.builder(postgres).tablePrefix("nofn_").build().tablePrefix()).isEqualTo("nofn_");

    DataSource h2 = Databases.h2Pool();
    JdbcUsageCounter.builder(h2).tablePrefix("nofn_").createSchemaIfMissing(true).build();
    execute(h2, "DROP ALIAS nofn_counter_consume");
    assertThatThrownBy(() -> JdbcUsageCounter.builder(h2).tablePrefix("nofn_").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("missing function nofn_counter_consume.")
        .hasMessageContaining("dev/limits/jdbc/h2.sql");
  }

  @Test
  void anUnreachableDatabaseIsReportedAsSuchNotAsASchemaProblem() {
    DataSource down = (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
          throw new SQLException("Connection refused", "08001");
        });
    assertThatThrownBy(() -> JdbcUsageCounter.builder(down).build())
        .isInstanceOf(StorageException.class)
        .hasMessageStartingWith("cannot reach the database to detect its dialect and check the limits schema")
        .hasMessageContaining("Connection refused");
    assertThatThrownBy(() -> JdbcUsageCounter.builder(down).dialect(JdbcDialect.H2).build())
        .isInstanceOf(StorageException.class)
        .hasMessageStartingWith("cannot reach the database to check the limits schema");
  }

  private static long count(DataSource dataSource, String sql) throws SQLException {
    try (Connection c = dataSource.getConnection(); Statement st = c.createStatement();
         java.sql.ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static void execute(DataSource dataSource, String sql) throws SQLException {
    try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }
}
