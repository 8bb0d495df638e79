package dev.limits.it.jpms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.limits.Decision;
import dev.limits.jdbc.JdbcDialect;
import dev.limits.jdbc.JdbcUsageCounter;
import java.io.PrintWriter;
import java.lang.module.ModuleDescriptor;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.List;
import java.util.Set;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * limits-jdbc seen from an application module: named, exporting its API only, its internal package open
 * (not exported) so that H2, on the class path, can call the consume function by name.
 */
class JdbcModulePathTest {

  private final Module jdbc = JdbcUsageCounter.class.getModule();

  @Test
  void exportsTheApiOnly() {
    assertEquals("dev.limits.jdbc", jdbc.getName(), "limits-jdbc is a named module, not the class path");
    ModuleDescriptor d = jdbc.getDescriptor();
    Set<String> exported = d.exports().stream()
        .peek(e -> assertFalse(e.isQualified(), "qualified export " + e))
        .map(ModuleDescriptor.Exports::source).collect(Collectors.toSet());
    assertEquals(Set.of("dev.limits.jdbc"), exported);
    Set<String> opened = d.opens().stream().map(ModuleDescriptor.Opens::source).collect(Collectors.toSet());
    assertEquals(Set.of("dev.limits.jdbc.internal"), opened);
    // Not exported, so no code compiles against it; open, so at run time reflection (H2) may call into it.
    assertTrue(jdbc.isOpen("dev.limits.jdbc.internal"));
    assertTrue(ModularApp.class.getModule().canRead(jdbc));
  }

  @Test
  void countsOnH2FromTheModulePath() {
    JdbcUsageCounter counter = JdbcUsageCounter.builder(new H2("jdbc:h2:mem:jpms;DB_CLOSE_DELAY=-1"))
        .createSchemaIfMissing(true).build();
    assertEquals(JdbcDialect.H2, counter.dialect());
    assertEquals(List.of(Decision.Outcome.ALLOWED, Decision.Outcome.ALLOWED, Decision.Outcome.QUOTA_EXCEEDED),
        ModularApp.run(counter));
  }

  /** Connections from the driver manager; enough of a data source for the counter. */
  private record H2(String url) implements DataSource {
    @Override
    public Connection getConnection() throws SQLException {
      return DriverManager.getConnection(url);
    }

    @Override
    public Connection getConnection(String user, String password) throws SQLException {
      return DriverManager.getConnection(url, user, password);
    }

    @Override
    public PrintWriter getLogWriter() {
      return new PrintWriter(System.err);
    }

    @Override
    public void setLogWriter(PrintWriter out) {}

    @Override
    public void setLoginTimeout(int seconds) {}

    @Override
    public int getLoginTimeout() {
      return 0;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
      throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
      throw new SQLException("not a wrapper");
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
      return false;
    }
  }
}
