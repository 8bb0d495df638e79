package dev.limits.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.limits.jdbc.internal.Schema;
import dev.limits.spi.Charge;
import dev.limits.spi.ConsumeRequest;
import dev.limits.spi.ConsumeRequest.Mode;
import dev.limits.spi.ConsumeResult;
import dev.limits.spi.ConsumeResult.Status;
import dev.limits.spi.Slot;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** The builder's checks, dialect detection, the DDL resources and plain-SQL readability. */
class JdbcUsageCounterTest {

  private static final long T0 = 1_767_225_600_000L;
  private static final long DAY = 86_400_000L;

  @Test
  void theBuilderRejectsBadArgumentsAtOnce() {
    DataSource h2 = Databases.h2Pool();

    assertThatThrownBy(() -> JdbcUsageCounter.builder(null)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("dataSource");
    assertThatThrownBy(() -> JdbcUsageCounter.builder(h2).tablePrefix("x; DROP TABLE t; --"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("x; DROP TABLE t; --");
    assertThatThrownBy(() -> JdbcUsageCounter.builder(h2).tablePrefix("1abc"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1abc");
    assertThatThrownBy(() -> JdbcUsageCounter.builder(h2).tablePrefix("a".repeat(31)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> JdbcUsageCounter.builder(h2).tablePrefix(null))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("tablePrefix");
    assertThatThrownBy(() -> JdbcUsageCounter.builder(h2).dialect(null))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("dialect");
    assertThatThrownBy(() -> JdbcUsageCounter.builder(h2).maxRetries(-1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
    assertThat(JdbcUsageCounter.builder(h2).tablePrefix("Tenant_7_").createSchemaIfMissing(true).build()
        .tablePrefix()).isEqualTo("Tenant_7_");
  }

  @Test
  void theDialectIsDetectedFromTheProductName() {
    assertThat(JdbcDialect.fromProductName("PostgreSQL")).isEqualTo(JdbcDialect.POSTGRESQL);
    assertThat(JdbcDialect.fromProductName("H2")).isEqualTo(JdbcDialect.H2);
    assertThat(JdbcDialect.fromProductName("MariaDB")).isEqualTo(JdbcDialect.MYSQL);
    assertThat(JdbcDialect.fromProductName("MySQL")).isEqualTo(JdbcDialect.MYSQL);
    assertThatThrownBy(() -> JdbcDialect.fromProductName("Oracle")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Oracle");
    assertThat(JdbcUsageCounter.builder(Databases.h2Pool()).createSchemaIfMissing(true).build().dialect())
        .isEqualTo(JdbcDialect.H2);
    assertThat(JdbcUsageCounter.builder(Databases.postgresPool()).createSchemaIfMissing(true).build().dialect())
        .isEqualTo(JdbcDialect.POSTGRESQL);
  }

  @Test
  void theDdlResourcesSplitIntoStatementsWithThePrefixFilledIn() {
    List<String> postgres = Schema.statements(JdbcDialect.POSTGRESQL, "acme_");
    assertThat(postgres).hasSize(12).allSatisfy(s -> assertThat(s).doesNotContain("${prefix}"));
    assertThat(postgres.get(5)).startsWith("CREATE OR REPLACE FUNCTION acme_counter_kept_until(").endsWith("$$");
    assertThat(postgres.get(6)).startsWith("CREATE OR REPLACE FUNCTION acme_counter_sum(").endsWith("$$");
    assertThat(postgres.subList(7, 10)).allSatisfy(s -> assertThat(s).startsWith("DROP FUNCTION IF EXISTS acme_"));
    assertThat(postgres.get(10)).startsWith("CREATE OR REPLACE FUNCTION acme_counter_consume(").endsWith("$$");
    assertThat(postgres.get(11)).startsWith("CREATE OR REPLACE FUNCTION acme_counter_consume_fast(").endsWith("$$");
    assertThat(Schema.statements(JdbcDialect.H2, "acme_")).hasSize(6).last().asString()
        .contains("acme_counter_consume");
    assertThat(Schema.statements(JdbcDialect.MYSQL, "acme_")).hasSize(3);
    assertThatThrownBy(() -> Schema.statements(JdbcDialect.H2, "a-b")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aSupportEngineerReadsUsageWithPlainSql() throws SQLException {
    for (DataSource dataSource : List.of(Databases.postgresPool(), Databases.h2Pool(), Databases.mariaDbPool())) {
      JdbcUsageCounter counter = JdbcUsageCounter.builder(dataSource).tablePrefix("plain_")
          .createSchemaIfMissing(true).build();
      Databases.truncate(dataSource, "plain_");
      long month = T0;
      Slot tokens = new Slot("tokens@month", month, month + 31 * DAY, 0);
      counter.consume(new ConsumeRequest("42", List.of(new Charge(tokens, 10_000, 1234)), Mode.ENFORCE, null, 0,
          T0 + 5 * DAY));
      counter.consume(new ConsumeRequest("42", List.of(new Charge(tokens, 10_000, 66)), Mode.ENFORCE, null, 0,
          T0 + 6 * DAY));

      try (Connection c = dataSource.getConnection();
           PreparedStatement ps = c.prepareStatement("SELECT used FROM plain_counter"
               + " WHERE subject = '42' AND counter_key = 'tokens@month'"
               + " AND period_start <= ? AND ? < period_end")) {
        ps.setLong(1, T0 + 7 * DAY);
        ps.setLong(2, T0 + 7 * DAY);
        try (ResultSet rs = ps.executeQuery()) {
          assertThat(rs.next()).as(counter.dialect().name()).isTrue();
          assertThat(rs.getLong(1)).as(counter.dialect().name()).isEqualTo(1300);
        }
      }
    }
  }
}
