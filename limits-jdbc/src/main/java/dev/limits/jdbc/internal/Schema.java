package dev.limits.jdbc.internal;

import dev.limits.jdbc.JdbcDialect;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Runs a dialect's DDL resource with the table prefix filled in. */
public final class Schema {

  private Schema() {}

  /** Creates what is missing; the DDL only uses {@code IF NOT EXISTS} and {@code CREATE OR REPLACE}. */
  public static void create(Connection c, JdbcDialect dialect, String prefix) throws SQLException {
    boolean autoCommit = c.getAutoCommit();
    c.setAutoCommit(true);
    try (Statement st = c.createStatement()) {
      for (String statement : statements(dialect, prefix)) {
        st.execute(statement);
      }
    } finally {
      c.setAutoCommit(autoCommit);
    }
  }

  /** The DDL statements for a dialect and prefix, in order. */
  public static List<String> statements(JdbcDialect dialect, String prefix) {
    Prefixes.require(prefix);
    String text;
    // Through the module, not the class loader: on the module path the resource's package is not open.
    try (InputStream in = Schema.class.getModule().getResourceAsStream(dialect.schemaResource())) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + dialect.schemaResource());
      }
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    text = text.replace("${prefix}", prefix);
    // Statements end with ';' at the end of a line, except inside $$-quoted function bodies.
    List<String> statements = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    boolean quoted = false;
    for (String line : text.split("\n", -1)) {
      String trimmed = line.trim();
      if (current.length() == 0 && (trimmed.isEmpty() || trimmed.startsWith("--"))) {
        continue;
      }
      current.append(line).append('\n');
      int from = 0;
      while ((from = line.indexOf("$$", from)) >= 0) {
        quoted = !quoted;
        from += 2;
      }
      if (!quoted && trimmed.endsWith(";")) {
        String statement = current.toString().trim();
        statements.add(statement.substring(0, statement.length() - 1));
        current.setLength(0);
      }
    }
    if (current.toString().trim().length() > 0) {
      throw new IllegalStateException("unterminated statement in " + dialect.schemaResource());
    }
    return statements;
  }
}
