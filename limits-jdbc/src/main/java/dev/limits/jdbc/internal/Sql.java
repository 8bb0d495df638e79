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
    return "SELECT state FROM " + operation + " WHERE subject = ? AND operation_id = ?";
  }

  String lockOperation() {
    return "SELECT state, expires_at FROM " + operation + " WHERE subject = ? AND operation_id = ? FOR UPDATE";
  }

  String insertOperation() {
    return "INSERT INTO " + operation + " (subject, operation_id, state, expires_at) VALUES (?, ?, ?, ?)";
  }

  String settleOperation() {
    return "UPDATE " + operation + " SET state = 2 WHERE subject = ? AND operation_id = ?";
  }

  String deleteOperation() {
    return "DELETE FROM " + operation + " WHERE subject = ? AND operation_id = ?";
  }

  String insertHold() {
    return "INSERT INTO " + hold + " (subject, operation_id, charge_index, counter_key, amount, charged_start)"
        + " VALUES (?, ?, ?, ?, ?, ?)";
  }

  String readHolds() {
    return "SELECT counter_key, amount, charged_start FROM " + hold
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
   * The fast consume on PostgreSQL: one plain SQL statement (no PL/pgSQL) for an {@code ENFORCE} without an
   * operation id whose charges all have lookback 0 (calendar and lifetime windows), once the subject's rows
   * exist. Parameters: keys {@code varchar[]}, slot starts, slot ends, limits and amounts {@code bigint[]}
   * (the charges in the caller's order), subject, keys again, subject again.
   *
   * <p>It locks the subject's rows for the keys in key order (as {@code counter_consume_cells} and the batch
   * function do, so that none of them deadlock), reads each cell's usage as the function reads a cell
   * with lookback 0 and no earlier buckets, checks every charge with the rule of {@code Charge.fits}, and
   * only if every charge fits writes every row as the function does: a newer slot starts a new bucket, the
   * same period adds, and an older slot (a caller whose clock lags) counts into the stored newer bucket;
   * sums saturate at {@code Long.MAX_VALUE}. Answers one row per charge, in no particular order: the
   * status (0 applied, 1 denied), the charge's 1-based position in the request, its usage after the
   * request and whether it fits. If a row is missing
   * (a subject or key not yet charged), or a row has a lookback or earlier buckets, it changes nothing and
   * answers a NULL status: the caller then runs the function, which inserts missing rows.
   */
  public String fastConsume() {
    return FAST_CONSUME.replace("${counter}", counter);
  }

  private static final String FAST_CONSUME = """
      WITH req AS MATERIALIZED (
        -- the charges in the caller's order
        SELECT r.ord, r.key, r.s, r.e, r.lim, r.amt
          FROM unnest(?::varchar[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[])
               WITH ORDINALITY AS r(key, s, e, lim, amt, ord)
      ), locked AS MATERIALIZED (
        -- the subject's rows, locked in key order; after waiting for a concurrent writer, its version
        SELECT t.counter_key, t.bucket_ms, t.lookback, t.period_start, t.period_end, t.used,
               t.earlier_starts, t.earlier_used
          FROM ${counter} t
         WHERE t.subject = ? AND t.counter_key = ANY (?::varchar[])
         ORDER BY t.counter_key
           FOR UPDATE
      ), cur AS MATERIALIZED (
        -- per charge: whether this statement can handle its row, the usage now, and the row to write
        SELECT q.ord, q.key, q.lim, q.amt,
               l.counter_key IS NOT NULL AND l.lookback = 0
                 AND l.earlier_starts IS NULL AND l.earlier_used IS NULL AS simple,
               CASE WHEN l.period_start >= q.s THEN l.used ELSE 0 END AS used_now,
               CASE WHEN l.period_start IS NULL THEN q.e - q.s ELSE l.bucket_ms END AS new_ms,
               -- a never charged cell or a newer slot starts a new bucket; the same period adds, and so
               -- does an older slot (a caller whose clock lags): the stored newer bucket takes it
               CASE WHEN l.period_start IS NULL OR q.s > l.period_start THEN q.s
                    ELSE l.period_start END AS new_start,
               CASE WHEN l.period_start IS NULL OR q.s > l.period_start THEN q.e
                    ELSE l.period_end END AS new_end,
               CASE WHEN l.period_start IS NULL OR q.s > l.period_start THEN q.amt
                    WHEN l.used > 9223372036854775807 - q.amt THEN 9223372036854775807
                    ELSE l.used + q.amt END AS new_used
          FROM req q LEFT JOIN locked l ON l.counter_key = q.key
      ), verdict AS MATERIALIZED (
        -- Charge.fits; used and limit are never negative, so limit - used cannot overflow
        SELECT bool_and(c.simple) AS simple,
               bool_and(CASE WHEN c.amt = 0 THEN c.used_now < c.lim
                             ELSE c.lim - c.used_now >= c.amt END) AS fits
          FROM cur c
      ), upd AS (
        -- all or nothing: the rows are written only if all exist, all are simple and every charge fits
        UPDATE ${counter} t
           SET bucket_ms = c.new_ms, lookback = 0, period_start = c.new_start, period_end = c.new_end,
               used = c.new_used, expires_at = c.new_end
          FROM cur c, verdict v
         WHERE v.simple AND v.fits AND t.subject = ? AND t.counter_key = c.key
      )
      -- one row per charge, in no particular order: the status (NULL: not handled, nothing changed;
      -- 0 applied, 1 denied), the charge's position (1-based), its usage after the request, whether it fits
      SELECT CASE WHEN v.simple THEN CASE WHEN v.fits THEN 0 ELSE 1 END END, c.ord,
             CASE WHEN v.fits THEN c.new_used ELSE c.used_now END,
             v.fits OR CASE WHEN c.amt = 0 THEN c.used_now < c.lim ELSE c.lim - c.used_now >= c.amt END
        FROM verdict v CROSS JOIN cur c
      """;

  /** Several consumes in one statement: the PL/pgSQL batch function on PostgreSQL. */
  public String consumeBatchFunction() {
    return "SELECT " + counter + "_consume_batch(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  }

  /** The one-statement consume: the PL/pgSQL function on PostgreSQL, the Java alias on H2. */
  public String consumeFunction() {
    switch (dialect) {
      case POSTGRESQL:
        return "SELECT " + counter + "_consume(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
      case H2:
        return "CALL " + counter + "_consume(?, ?)";
      default:
        throw new IllegalStateException("no consume function on " + dialect);
    }
  }
}
