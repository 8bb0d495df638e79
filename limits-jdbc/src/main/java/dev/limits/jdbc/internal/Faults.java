package dev.limits.jdbc.internal;

import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransactionRollbackException;
import java.sql.SQLTransientConnectionException;
import java.sql.SQLTransientException;
import java.util.Set;

/**
 * Sorts SQL failures by what they did to the work (surely nothing, or unknown) and whether a retry may
 * help; {@link #classify} is the one place that decides, for every operation and every coalesced batch.
 *
 * <p>What proves that nothing was applied:
 * <ul>
 *   <li>the connection was never had ({@code DataSource.getConnection} threw): nothing was sent;
 *   <li>the work is a transaction not yet asked to commit (MariaDB's consume before its COMMIT): the database
 *       rolls it back on the error or when the connection ends;
 *   <li>an autocommitted statement (a consume on PostgreSQL or H2) or a COMMIT failed with an error the
 *       database reported for it, with one of the states in {@link #ROLLED_BACK_STATES} (or MySQL's
 *       deadlock and lock wait errors, H2's lock timeout, a unique violation). PostgreSQL reports no error
 *       for a transaction it committed: a backend terminated while it waits for a synchronous standby
 *       after its local commit drops the connection without an error message (PgJDBC then throws its
 *       08006 with an {@link IOException} cause), so that the client does not take it for an abort. PgJDBC
 *       throws the server's error first and chains the broken connection that follows a FATAL one (57P01
 *       for {@code pg_terminate_backend}) as its next exception, so the state of the thrown exception is the
 *       server's. None of these states is made up by PgJDBC, H2 or the MariaDB driver on the client side
 *       (PgJDBC's own 53200 for a result too large to hold comes after the statement ran, so only 53300 of
 *       class 53 is here).
 * </ul>
 * Anything else that failed while an autocommitted statement or a COMMIT was in flight (an I/O error, a
 * socket timeout, 08xxx, an error of the driver itself) leaves the outcome unknown.
 */
public final class Faults {

  private Faults() {}

  /** How far the work had got when it failed. */
  public enum Stage {
    /** Getting the connection: nothing was sent. */
    CONNECT,
    /** Statements of a transaction not yet asked to commit: the database rolls it back. */
    IN_TRANSACTION,
    /** An autocommitted statement, or the COMMIT of a transaction, was sent: it may have committed. */
    COMMIT
  }

  /**
   * What a failure means for the work.
   *
   * @param applied   whether the work may have taken effect ({@code false}: surely not)
   * @param retryable whether trying again may succeed (the failure was a passing one)
   */
  public record Verdict(boolean applied, boolean retryable) {

    /**
     * Whether to try again: a passing failure that surely applied nothing, or one that left the outcome
     * unknown when repeating the work is harmless.
     *
     * @param idempotent whether a repeat changes nothing if the first attempt committed
     * @return whether a retry may help and cannot count twice
     */
    public boolean mayRetry(boolean idempotent) {
      return retryable && (!applied || idempotent);
    }
  }

  /**
   * Server errors that say the statement's transaction did not commit: any of class 40 (rollback:
   * serialization failure 40001, deadlock 40P01), 53300 too many connections, 55P03 lock not available,
   * 57014 canceled (a statement timeout), 57P01 to 57P03 shutdown (57P01 is also what
   * {@code pg_terminate_backend} sends).
   */
  static final Set<String> ROLLED_BACK_STATES = Set.of("53300", "55P03", "57014", "57P01", "57P02", "57P03");

  /**
   * Classifies a failure of work that had reached {@code stage}.
   *
   * @param e     the failure
   * @param stage how far the work had got
   * @return whether it may have been applied and whether a retry may help
   */
  public static Verdict classify(SQLException e, Stage stage) {
    boolean passing = isRolledBack(e) || isTransient(e);
    if (stage != Stage.COMMIT) {
      return new Verdict(false, passing);
    }
    if (isBrokenConnection(e)) {
      return new Verdict(true, passing);
    }
    return new Verdict(!(isRolledBack(e) || isUniqueViolation(e)), passing);
  }

  /** The key was taken: PostgreSQL and H2 say 23505, MariaDB and MySQL 23000 with error 1062. */
  public static boolean isUniqueViolation(SQLException e) {
    String state = e.getSQLState();
    return "23505".equals(state) || ("23000".equals(state) && e.getErrorCode() == 1062);
  }

  /**
   * The database rolled the transaction (or statement) back and said so: class 40 (serialization
   * failures, deadlocks; MySQL's deadlock 1213), the states of {@link #ROLLED_BACK_STATES}, lock wait
   * timeouts (MySQL 1205, H2 50200). Retrying is always safe: nothing was committed.
   */
  static boolean isRolledBack(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException) {
        SQLException s = (SQLException) t;
        String state = s.getSQLState();
        if (s instanceof SQLTransactionRollbackException || (state != null && state.startsWith("40"))
            || ROLLED_BACK_STATES.contains(state) || s.getErrorCode() == 1213 || s.getErrorCode() == 1205
            || (s.getErrorCode() == 50200 && "HYT00".equals(state))) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * The connection broke on the way (08xxx, an {@link IOException} anywhere in the causes, a
   * connection exception of JDBC): what was in flight may or may not have run.
   */
  static boolean isBrokenConnection(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof IOException || t instanceof SQLRecoverableException
          || t instanceof SQLNonTransientConnectionException || t instanceof SQLTransientConnectionException) {
        return true;
      }
      if (t instanceof SQLException) {
        String state = ((SQLException) t).getSQLState();
        if (state != null && state.startsWith("08")) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * A passing failure: a broken connection, a shutdown or a transient condition
   * ({@link SQLTransientException}, PostgreSQL's 57P0x).
   */
  static boolean isTransient(SQLException e) {
    if (isBrokenConnection(e)) {
      return true;
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLTransientException) {
        return true;
      }
      if (t instanceof SQLException) {
        String state = ((SQLException) t).getSQLState();
        if (state != null && state.startsWith("57P")) {
          return true;
        }
      }
    }
    return false;
  }
}
