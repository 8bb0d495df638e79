package dev.limits.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.limits.jdbc.internal.Faults;
import dev.limits.jdbc.internal.Faults.Stage;
import dev.limits.jdbc.internal.Faults.Verdict;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransactionRollbackException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;

/**
 * The classification of failures, with exceptions shaped as PgJDBC, the MariaDB driver, H2 and HikariCP
 * throw them.
 */
class FaultsTest {

  private static final Verdict NOT_APPLIED_RETRY = new Verdict(false, true);
  private static final Verdict UNKNOWN_RETRY = new Verdict(true, true);

  @Test
  void whateverFailsBeforeTheConnectionIsHadAppliedNothing() {
    // HikariCP's timeout, PgJDBC's refused connection, a wrong password
    assertThat(Faults.classify(new SQLTransientConnectionException("Connection is not available", "08001"),
        Stage.CONNECT)).isEqualTo(NOT_APPLIED_RETRY);
    assertThat(Faults.classify(new SQLException("Connection to localhost:5432 refused", "08001",
        new java.net.ConnectException()), Stage.CONNECT)).isEqualTo(NOT_APPLIED_RETRY);
    assertThat(Faults.classify(new SQLException("sorry, too many clients already", "53300"), Stage.CONNECT))
        .isEqualTo(NOT_APPLIED_RETRY);
    assertThat(Faults.classify(new SQLException("password authentication failed", "28P01"), Stage.CONNECT))
        .isEqualTo(new Verdict(false, false));
  }

  @Test
  void aTransactionNotYetAskedToCommitAppliedNothing() {
    assertThat(Faults.classify(pgIoError(new EOFException()), Stage.IN_TRANSACTION)).isEqualTo(NOT_APPLIED_RETRY);
    assertThat(Faults.classify(mariaDbSocketError(), Stage.IN_TRANSACTION)).isEqualTo(NOT_APPLIED_RETRY);
    assertThat(Faults.classify(new SQLTransactionRollbackException("Deadlock found", "40001", 1213),
        Stage.IN_TRANSACTION)).isEqualTo(NOT_APPLIED_RETRY);
    assertThat(Faults.classify(new SQLException("Lock wait timeout exceeded", "HY000", 1205),
        Stage.IN_TRANSACTION)).isEqualTo(NOT_APPLIED_RETRY);
  }

  @Test
  void anErrorTheServerReportedForAnAutocommittedStatementMeansItDidNotCommit() {
    for (String state : new String[] {"57P01", "57P02", "57P03", "57014", "53300", "55P03", "40001", "40P01"}) {
      SQLException e = new SQLException("server error", state);
      assertThat(Faults.classify(e, Stage.COMMIT)).as(state).isEqualTo(NOT_APPLIED_RETRY);
      assertThat(Faults.classify(e, Stage.COMMIT).mayRetry(false)).as(state).isTrue();
    }
    // PgJDBC after a FATAL error: the server's error, with the broken connection that follows as the next one
    SQLException terminated = new SQLException("terminating connection due to administrator command", "57P01");
    terminated.setNextException(pgIoError(new EOFException()));
    assertThat(Faults.classify(terminated, Stage.COMMIT)).isEqualTo(NOT_APPLIED_RETRY);
    // H2's lock timeout; a unique violation (retried on H2 only, by the counter)
    assertThat(Faults.classify(new SQLException("Timeout trying to lock table", "HYT00", 50200), Stage.COMMIT))
        .isEqualTo(NOT_APPLIED_RETRY);
    assertThat(Faults.classify(new SQLException("duplicate key", "23505"), Stage.COMMIT))
        .isEqualTo(new Verdict(false, false));
  }

  @Test
  void aConnectionLostWhileTheStatementOrTheCommitWasInFlightLeavesTheOutcomeUnknown() {
    // PgJDBC: "An I/O error occurred while sending to the backend." (a backend gone without an error
    // message, a reset, a socket timeout)
    assertThat(Faults.classify(pgIoError(new EOFException()), Stage.COMMIT)).isEqualTo(UNKNOWN_RETRY);
    assertThat(Faults.classify(pgIoError(new SocketTimeoutException("Read timed out")), Stage.COMMIT))
        .isEqualTo(UNKNOWN_RETRY);
    assertThat(Faults.classify(new SQLException("This connection has been closed.", "08003"), Stage.COMMIT))
        .isEqualTo(UNKNOWN_RETRY);
    // MariaDB: a socket error during COMMIT; an interrupted statement
    assertThat(Faults.classify(mariaDbSocketError(), Stage.COMMIT)).isEqualTo(UNKNOWN_RETRY);
    assertThat(Faults.classify(new SQLTimeoutException("Query execution was interrupted", "70100", 1317),
        Stage.COMMIT)).isEqualTo(UNKNOWN_RETRY);
    // an I/O error wrapped in a server-looking state is still a broken connection
    assertThat(Faults.classify(new SQLException("wrapped", "57P01", new IOException("reset")), Stage.COMMIT))
        .isEqualTo(UNKNOWN_RETRY);

    Verdict unknown = Faults.classify(pgIoError(new EOFException()), Stage.COMMIT);
    assertThat(unknown.mayRetry(false)).as("without an operation id").isFalse();
    assertThat(unknown.mayRetry(true)).as("with one").isTrue();
  }

  @Test
  void anyOtherFailureOfAStatementInFlightIsNotRetriedAndLeavesTheOutcomeUnknown() {
    // PgJDBC makes some errors itself, after the statement ran (reading a result it cannot convert)
    assertThat(Faults.classify(new SQLException("Bad value for type long", "22003"), Stage.COMMIT))
        .isEqualTo(new Verdict(true, false));
    assertThat(Faults.classify(new SQLException("Ran out of memory retrieving query results.", "53200"),
        Stage.COMMIT)).isEqualTo(new Verdict(true, false));
  }

  private static SQLException pgIoError(IOException cause) {
    return new SQLException("An I/O error occurred while sending to the backend.", "08006", cause);
  }

  private static SQLException mariaDbSocketError() {
    return new SQLNonTransientConnectionException("Socket error", "08000", new IOException("Broken pipe"));
  }
}
