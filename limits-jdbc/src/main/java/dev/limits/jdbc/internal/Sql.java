package dev.limits.jdbc.internal;

import dev.limits.jdbc.JdbcDialect;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The SQL text for one table prefix and dialect. Only the validated prefix and placeholder lists are ever
 * spliced into statements; every value is bound as a parameter.
 */
public final class Sql {

  static final String CELL_COLUMNS =
      "counter_key, bucket_ms, lookback, period_start, period_end, used, earlier_starts, earlier_used";

  final JdbcDialect dialect;
  final String counter;
  final String operation;
  final String hold;
  private final ConcurrentHashMap<Integer, String> readCells = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Integer, String> lockCells = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, String> subjectCells = new ConcurrentHashMap<>();

  public Sql(JdbcDialect dialect, String prefix) {
    this.dialect = dialect;
    this.counter = prefix + "counter";
    this.operation = prefix + "operation";
    this.hold = prefix + "hold";
  }

  private static String placeholders(int n) {
    StringBuilder sb = new StringBuilder(3 * n);
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "?" : ", ?");
    }
    return sb.toString();
  }

  /** Reads the cells of one subject with {@code n} keys, without locking. */
  String readCells(int n) {
    return readCells.computeIfAbsent(n, k -> "SELECT " + CELL_COLUMNS + " FROM " + counter
        + " WHERE subject = ? AND counter_key IN (" + placeholders(k) + ")");
  }

  /** Locks the cells of one subject with {@code n} keys, in key order so that lockers never deadlock. */
  String lockCells(int n) {
    return lockCells.computeIfAbsent(n, k -> "SELECT " + CELL_COLUMNS + " FROM " + counter
        + " WHERE subject = ? AND counter_key IN (" + placeholders(k) + ") ORDER BY counter_key FOR UPDATE");
  }

  /**
   * On PostgreSQL: reads, or with {@code lock} locks, the cells of several subjects, {@code counts[s]} keys of
   * subject {@code s}: parameters per subject its id, then its keys; columns {@link #CELL_COLUMNS}, then the
   * subject.
   * Locked in (subject, counter_key) order, the order of the primary key and of every other locker.
   */
  String cellsOfSubjects(int[] counts, boolean lock) {
    return subjectCells.computeIfAbsent(java.util.Arrays.toString(counts) + lock, k -> {
      StringBuilder sb = new StringBuilder("SELECT ").append(CELL_COLUMNS).append(", subject FROM ")
          .append(counter).append(" WHERE ");
      for (int s = 0; s < counts.length; s++) {
        sb.append(s == 0 ? "" : " OR ").append("(subject = ? AND counter_key IN (").append(placeholders(counts[s]))
            .append("))");
      }
      return sb.append(lock ? " ORDER BY subject, counter_key FOR UPDATE" : "").toString();
    });
  }

  /** Inserts an uncharged placeholder row unless the cell exists, so that it can be locked. */
  String insertPlaceholder() {
    String columns = "(subject, counter_key, bucket_ms, lookback, period_start, period_end, used, expires_at)";
    switch (dialect) {
      case POSTGRESQL:
        return "INSERT INTO " + counter + " " + columns
            + " VALUES (?, ?, ?, ?, NULL, ?, 0, ?) ON CONFLICT DO NOTHING";
      case MYSQL:
        return "INSERT INTO " + counter + " " + columns
            + " VALUES (?, ?, ?, ?, NULL, ?, 0, ?) ON DUPLICATE KEY UPDATE subject = subject";
      default:
        return "MERGE INTO " + counter + " t USING (VALUES (CAST(? AS VARCHAR(191)), CAST(? AS VARCHAR(200)),"
            + " CAST(? AS BIGINT), CAST(? AS INT), CAST(? AS BIGINT), CAST(? AS BIGINT)))"
            + " s(subject, counter_key, bucket_ms, lookback, period_end, expires_at)"
            + " ON t.subject = s.subject AND t.counter_key = s.counter_key"
            + " WHEN NOT MATCHED THEN INSERT " + columns
            + " VALUES (s.subject, s.counter_key, s.bucket_ms, s.lookback, NULL, s.period_end, 0, s.expires_at)";
    }
  }

  String updateCell() {
    return "UPDATE " + counter + " SET bucket_ms = ?, lookback = ?, period_start = ?, period_end = ?, used = ?,"
        + " earlier_starts = ?, earlier_used = ?, expires_at = ? WHERE subject = ? AND counter_key = ?";
  }

  String findOperation() {
    return "SELECT fingerprint FROM " + operation + " WHERE subject = ? AND operation_id = ?";
  }

  String lockOperation() {
    return "SELECT state, expires_at FROM " + operation + " WHERE subject = ? AND operation_id = ? FOR UPDATE";
  }

  String insertOperation() {
    return "INSERT INTO " + operation + " (subject, operation_id, state, fingerprint, expires_at)"
        + " VALUES (?, ?, ?, ?, ?)";
  }

  /** Marks a reservation settled: parameters the state (committed or cancelled), subject and id. */
  String settleOperation() {
    return "UPDATE " + operation + " SET state = ? WHERE subject = ? AND operation_id = ?";
  }

  String deleteOperation() {
    return "DELETE FROM " + operation + " WHERE subject = ? AND operation_id = ?";
  }

  /** The columns of the hold table that the counter uses, for writing and for the schema check. */
  static final String HOLD_COLUMNS =
      "subject, operation_id, charge_index, counter_key, amount, charged_start, charged_subject";

  String insertHold() {
    return "INSERT INTO " + hold + " (" + HOLD_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?)";
  }

  /** A reservation's holds: the subject charged (NULL in rows written before the column: the owner). */
  String readHolds() {
    return "SELECT COALESCE(charged_subject, subject), counter_key, amount, charged_start FROM " + hold
        + " WHERE subject = ? AND operation_id = ? ORDER BY charge_index";
  }

  String deleteHolds() {
    return "DELETE FROM " + hold + " WHERE subject = ? AND operation_id = ?";
  }

  String snapshot() {
    return "SELECT " + CELL_COLUMNS + " FROM " + counter
        + " WHERE subject = ? AND period_start IS NOT NULL AND expires_at > ?";
  }

  String expiredCells() {
    return "SELECT subject, counter_key FROM " + counter + " WHERE expires_at <= ? ORDER BY expires_at LIMIT ?";
  }

  String deleteExpiredCell() {
    return "DELETE FROM " + counter + " WHERE subject = ? AND counter_key = ? AND expires_at <= ?";
  }

  String expiredOperations() {
    return "SELECT subject, operation_id FROM " + operation
        + " WHERE expires_at < ? ORDER BY expires_at LIMIT ?";
  }

  /**
   * The fast consume on PostgreSQL, {@code counter_consume_fast}: parameters per cell (subject, key)
   * {@code varchar[]}, slot start and end, total amount and room {@code bigint[]}; answers
   * {@code [status, used_1, used_2, ...]} with status 0 (written) or 1 (some cell has no room: nothing
   * written) and each cell's usage before the call, or {@code [NULL]} (nothing written: the general
   * function must run).
   */
  public String fastConsume() {
    return "SELECT " + counter + "_consume_fast(?, ?, ?, ?, ?, ?)";
  }

  /**
   * The one-statement consume: on PostgreSQL the PL/pgSQL function for a batch of requests (one or more;
   * parameters in {@link PostgresArrays}), on H2 the Java alias for one request.
   */
  public String consumeFunction() {
    switch (dialect) {
      case POSTGRESQL:
        return "SELECT " + counter + "_consume(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
      case H2:
        return "CALL " + counter + "_consume(?, ?)";
      default:
        throw new IllegalStateException("no consume function on " + dialect);
    }
  }
}
