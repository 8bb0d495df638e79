package dev.limits.jdbc.internal;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransactionRollbackException;
import java.sql.SQLTransientConnectionException;
import java.sql.SQLTransientException;

/** Sorts SQL failures by what a retry may do about them. */
public final class Faults {

  private Faults() {}

  /** The key was taken: PostgreSQL and H2 say 23505, MariaDB and MySQL 23000 with error 1062. */
  public static boolean isUniqueViolation(SQLException e) {
    String state = e.getSQLState();
    return "23505".equals(state) || ("23000".equals(state) && e.getErrorCode() == 1062);
  }

  /**
   * The database rolled the transaction (or statement) back and said so: serialization failures
   * (40001), deadlocks (40P01, MySQL 1213), lock wait timeouts (MySQL 1205, H2 50200). Retrying is
   * always safe: nothing was committed.
   */
  public static boolean isRolledBack(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException) {
        SQLException s = (SQLException) t;
        String state = s.getSQLState();
        if (s instanceof SQLTransactionRollbackException || "40001".equals(state) || "40P01".equals(state)
            || s.getErrorCode() == 1213 || s.getErrorCode() == 1205
            || (s.getErrorCode() == 50200 && "HYT00".equals(state))) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * The connection broke or a transient condition stopped the statement (08xxx, PostgreSQL's 57P0x
   * shutdowns, {@link SQLTransientException}). A transaction not yet asked to commit was rolled back by
   * the database; one that was may or may not have committed.
   */
  public static boolean isTransient(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLTransientException || t instanceof SQLRecoverableException
          || t instanceof SQLNonTransientConnectionException || t instanceof SQLTransientConnectionException) {
        return true;
      }
      if (t instanceof SQLException) {
        String state = ((SQLException) t).getSQLState();
        if (state != null && (state.startsWith("08") || state.startsWith("57P"))) {
          return true;
        }
      }
    }
    return false;
  }
}
