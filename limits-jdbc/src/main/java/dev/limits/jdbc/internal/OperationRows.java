package dev.limits.jdbc.internal;

import dev.limits.spi.ConsumeRequest;
import dev.limits.spi.ConsumeResult.Status;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.jspecify.annotations.Nullable;

/**
 * The rows of the operation table on one connection whose transaction the caller owns: the operation ids
 * remembered for idempotency, each under the subject that owns it (a request's first subject), with its
 * request's fingerprint and its {@link OperationState}.
 */
final class OperationRows {

  /** A statement failed with a unique-key violation: the operation id was taken meanwhile. */
  static final class Taken extends Exception {
    private static final long serialVersionUID = 1L;

    Taken(SQLException cause) {
      super(cause);
    }
  }

  /** A locked operation row: its state and until when it is remembered. */
  record Locked(OperationState state, long expiresAt) {}

  private final Sql sql;
  private final boolean inEngine;

  /**
   * @param inEngine whether the caller runs inside the database engine as the body of one statement (H2's
   *                 function): then a unique violation is not caught, so that it fails the whole statement,
   *                 which H2 rolls back and the caller retries (H2 has been seen to leave a session's row
   *                 locks behind after a failed statement nested in a function call)
   */
  OperationRows(Sql sql, boolean inEngine) {
    this.sql = sql;
    this.inEngine = inEngine;
  }

  /**
   * Whether the request's operation id is remembered: null if not, else {@link Status#DUPLICATE} if it was
   * used for a request with the same fingerprint, {@link Status#MISMATCH} if for another one.
   */
  @Nullable Status repeated(Connection c, ConsumeRequest request) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql.findOperation())) {
      ps.setString(1, request.subject());
      ps.setString(2, request.operationId());
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        return rs.getLong(1) == request.fingerprint() ? Status.DUPLICATE : Status.MISMATCH;
      }
    }
  }

  /**
   * Remembers the request's operation id, owned by its first subject.
   *
   * @throws Taken if another transaction took the id meanwhile (not in the engine)
   */
  void insert(Connection c, ConsumeRequest request) throws SQLException, Taken {
    try (PreparedStatement ps = c.prepareStatement(sql.insertOperation())) {
      ps.setString(1, request.subject());
      ps.setString(2, request.operationId());
      ps.setInt(3, OperationState.after(request.mode()).code());
      ps.setLong(4, request.fingerprint());
      ps.setLong(5, request.expiresAt());
      ps.executeUpdate();
    } catch (SQLException e) {
      if (Faults.isUniqueViolation(e) && !inEngine) {
        throw new Taken(e);
      }
      throw e;
    }
  }

  /** Locks an operation row; null if there is none. */
  @Nullable Locked lock(Connection c, String subject, String id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql.lockOperation())) {
      ps.setString(1, subject);
      ps.setString(2, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? new Locked(OperationState.ofCode(rs.getInt(1)), rs.getLong(2)) : null;
      }
    }
  }

  /** Sets the state of a locked row. */
  void setState(Connection c, String subject, String id, OperationState state) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql.settleOperation())) {
      ps.setInt(1, state.code());
      ps.setString(2, subject);
      ps.setString(3, id);
      ps.executeUpdate();
    }
  }

  /** Forgets an operation id. */
  void delete(Connection c, String subject, String id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql.deleteOperation())) {
      ps.setString(1, subject);
      ps.setString(2, id);
      ps.executeUpdate();
    }
  }
}
