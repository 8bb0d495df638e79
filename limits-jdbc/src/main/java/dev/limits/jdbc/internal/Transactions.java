package dev.limits.jdbc.internal;

import dev.limits.spi.ConsumeRequest;
import dev.limits.spi.ConsumeResult;
import dev.limits.spi.SettleRequest;
import dev.limits.spi.SettleResult;
import dev.limits.spi.SlotUsage;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The counter's operations as transaction scripts on one connection whose transaction the caller owns
 * (autocommit off, READ COMMITTED), wired for one table prefix and dialect: {@link ConsumeScript} (consume),
 * {@link Settlement} (reservations), {@link Purge}, and {@link CellRows}, {@link OperationRows} beneath them.
 * Every cell row is locked in the one order of {@link CellRows} before it is changed, so concurrent
 * operations on overlapping cells serialize and never deadlock; the operation id and the holds of a
 * reservation are written in the same transaction as the counters.
 *
 * <p>The consume script also runs inside H2 as the body of its consume function, where it cannot commit.
 */
public final class Transactions {

  private final CellRows cells;
  private final ConsumeScript consume;
  private final Settlement settlement;
  private final Purge purge;

  /**
   * Creates the scripts.
   *
   * @param inEngine whether they run inside the database engine as the body of one statement (H2's
   *                 function); see {@link OperationRows}
   */
  public Transactions(Sql sql, boolean inEngine) {
    this.cells = new CellRows(sql);
    OperationRows operations = new OperationRows(sql, inEngine);
    this.settlement = new Settlement(sql, cells, operations);
    this.consume = new ConsumeScript(cells, operations, settlement);
    this.purge = new Purge(sql, operations, settlement);
  }

  /**
   * Carries out a consume on {@code c}. The caller commits afterwards (or, when this throws, rolls back).
   *
   * @return the result, or null when the operation id was taken meanwhile: the caller then rolls back and
   *     answers {@link #duplicate}
   */
  public @Nullable ConsumeResult consume(Connection c, ConsumeRequest request) throws SQLException {
    return consume.consume(c, request);
  }

  /** Answers a request whose operation id was taken meanwhile, with the cells' usage as it stands. */
  public ConsumeResult duplicate(Connection c, ConsumeRequest request) throws SQLException {
    return consume.duplicate(c, request);
  }

  /** Settles a reservation on {@code c}; the caller commits, or rolls back when this throws. */
  public SettleResult settle(Connection c, SettleRequest request) throws SQLException {
    return settlement.settle(c, request);
  }

  /** The live cells of a subject at {@code now}. */
  public List<SlotUsage> snapshot(Connection c, String subject, long now) throws SQLException {
    return cells.snapshot(c, subject, now);
  }

  /**
   * Deletes up to {@code max} cells that stopped counting before {@code now}; returns how many, and in
   * {@code fetched[0]} how many candidates it found.
   */
  public int purgeCells(Connection c, long now, int max, int[] fetched) throws SQLException {
    return purge.purgeCells(c, now, max, fetched);
  }

  /** Up to {@code max} operation ids remembered until before {@code now}, as (subject, id) pairs. */
  public List<String[]> expiredOperations(Connection c, long now, int max) throws SQLException {
    return purge.expiredOperations(c, now, max);
  }

  /**
   * Forgets one expired operation id, first refunding its reservation if it was never settled.
   *
   * @return whether this call forgot it
   */
  public boolean purgeOperation(Connection c, String subject, String id, long now) throws SQLException {
    return purge.purgeOperation(c, subject, id, now);
  }
}
