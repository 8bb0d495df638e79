package dev.limits.jdbc.internal;

import dev.limits.jdbc.JdbcDialect;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Runs a dialect's DDL resource with the table prefix filled in, and checks what the counter needs. */
public final class Schema {

  private Schema() {}

  /** A table the counter uses, without its prefix, and the columns it reads or writes. */
  private record Table(String name, String columns) {}

  /**
   * What the counter uses of the DDL resources, the one list that {@link #missing} checks: a column added
   * to the DDL and used by the counter is added here.
   */
  private static final List<Table> TABLES = List.of(
      new Table("counter", "subject, " + Sql.CELL_COLUMNS + ", expires_at"),
      new Table("operation", "subject, operation_id, state, fingerprint, expires_at"),
      new Table("hold", Sql.HOLD_COLUMNS));

  /**
   * A function that a dialect's consume calls, without the prefix, and its number of arguments in this
   * version (-1 on H2, whose aliases are checked by name): a function of an older version's schema with
   * another signature is found missing, so that {@code build()} rather than every consume says so.
   */
  private record Function(String name, int arguments) {}

  /**
   * The functions that a dialect's consume calls. PostgreSQL's {@code counter_consume_fast} is left out: a
   * schema made before it existed still serves, through the general function.
   */
  private static List<Function> functions(JdbcDialect dialect) {
    switch (dialect) {
      case POSTGRESQL:
        return List.of(new Function("counter_sum", 8), new Function("counter_kept_until", 4),
            new Function("counter_consume", 13));
      case H2:
        return List.of(new Function("counter_consume", -1));
      default:
        return List.of();
    }
  }

  /**
   * Lists what the counter needs and the database lacks: each table that is missing or lacks a column (with
   * the database's own words), each function that is missing. Runs one cheap query per table and one for
   * the functions, in autocommit, so that on PostgreSQL a failed check does not abort the next.
   *
   * @return the missing pieces, empty if none
   * @throws SQLException if the database cannot be reached
   */
  public static List<String> missing(Connection c, JdbcDialect dialect, String prefix) throws SQLException {
    List<String> missing = new ArrayList<>();
    boolean autoCommit = c.getAutoCommit();
    c.setAutoCommit(true);
    try {
      for (Table table : TABLES) {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT " + table.columns() + " FROM " + prefix + table.name()
                 + " WHERE 1 = 0")) {
          rs.next();
        } catch (SQLException e) {
          if (Faults.isBrokenConnection(e)) {
            throw e;
          }
          missing.add("table " + prefix + table.name() + " with the columns (" + table.columns() + "): "
              + e.getMessage());
        }
      }
      List<Function> functions = functions(dialect);
      if (!functions.isEmpty()) {
        Set<String> found = new HashSet<>();
        String query = dialect == JdbcDialect.H2
            ? "SELECT ROUTINE_NAME, -1 FROM INFORMATION_SCHEMA.ROUTINES WHERE ROUTINE_SCHEMA = CURRENT_SCHEMA"
            : "SELECT proname, pronargs FROM pg_proc WHERE pg_function_is_visible(oid) AND proname LIKE ?";
        try (PreparedStatement ps = c.prepareStatement(query)) {
          if (dialect != JdbcDialect.H2) {
            ps.setString(1, prefix.toLowerCase(Locale.ROOT).replace("_", "\\_") + "%");
          }
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              found.add(rs.getString(1).toLowerCase(Locale.ROOT) + "/" + rs.getInt(2));
            }
          }
        }
        for (Function function : functions) {
          // Unquoted names: PostgreSQL folds them to lower case, H2 to upper case.
          if (!found.contains((prefix + function.name()).toLowerCase(Locale.ROOT) + "/" + function.arguments())) {
            missing.add("function " + prefix + function.name() + (function.arguments() < 0 ? ""
                : " with " + function.arguments() + " arguments"));
          }
        }
      }
    } finally {
      c.setAutoCommit(autoCommit);
    }
    return missing;
  }

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
