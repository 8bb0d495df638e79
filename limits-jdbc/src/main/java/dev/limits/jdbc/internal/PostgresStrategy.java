package dev.limits.jdbc.internal;

import dev.limits.spi.ConsumeRequest;
import dev.limits.spi.ConsumeResult;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A consume on PostgreSQL: one autocommitted statement for one request or for a coalesced batch of them.
 * With coalescing (the default) every consume goes through the {@link Coalescer}, which hands this
 * strategy batches of one or more; without it a consume runs at once as a batch of one. Either way the
 * {@link Retrier} runs the batch, and on its connection:
 * <ol>
 *   <li>{@code counter_consume_fast} ({@link FastConsume}) when every request is an ENFORCE without operation
 *       id on lookback-0 slots, and its answer when it gives one;
 *   <li>otherwise (a missing row, a lookback, an operation id, a batch that does not fit in order)
 *       {@code counter_consume}, for one request as for several, its arguments packed and its answer
 *       decoded by {@link PostgresArrays}.
 * </ol>
 */
public final class PostgresStrategy implements ConsumeStrategy {

  private static final Logger LOG = LoggerFactory.getLogger(PostgresStrategy.class);

  /** PostgreSQL's SQLSTATE for a call of a function that does not exist. */
  private static final String UNDEFINED_FUNCTION = "42883";

  /** The most consumes sent in one batch. */
  private static final int MAX_BATCH = 64;

  private final Sql sql;
  private final String prefix;
  private final Retrier retrier;
  private final @Nullable Coalescer coalescer;
  private final boolean fastConsume;
  // set when the schema lacks the fast function (created by an older version): the general one serves
  private volatile boolean fastFunctionMissing;

  PostgresStrategy(Sql sql, String prefix, Retrier retrier, boolean coalesce, int maxConcurrentBatches,
      boolean fastConsume) {
    this.sql = sql;
    this.prefix = prefix;
    this.retrier = retrier;
    this.fastConsume = fastConsume;
    this.coalescer = coalesce ? new Coalescer(maxConcurrentBatches, MAX_BATCH, this::runBatch) : null;
  }

  @Override
  public ConsumeResult consume(ConsumeRequest request) {
    if (coalescer != null) {
      return coalescer.consume(request);
    }
    return retrier.call(Retrier.what(request), Retrier.idempotent(request), true,
        c -> consume(c, List.of(request)).get(0));
  }

  /**
   * Runs {@code requests} as one coalesced batch, as if their callers had queued up together in this order;
   * for tests.
   */
  public List<ConsumeResult> consumeAsOneBatch(List<ConsumeRequest> requests) {
    return Coalescer.runAsOneBatch(requests, this::runBatch);
  }

  /**
   * Runs a batch of coalesced consumes in one statement, retrying as {@link Retrier} retries each request:
   * a batch that surely did not commit is retried as a whole; after a failure that may have committed, only
   * the idempotent requests are retried.
   */
  private void runBatch(List<Coalescer.Pending> batch) {
    retrier.run(batch, true, true, (c, open) -> {
      List<ConsumeRequest> requests = new ArrayList<>(open.size());
      for (Coalescer.Pending p : open) {
        requests.add(p.request());
      }
      List<ConsumeResult> results = consume(c, requests);
      for (int i = 0; i < open.size(); i++) {
        open.get(i).succeed(results.get(i));
      }
    });
  }

  /**
   * Runs {@code requests} in order in one statement: the fast function when it applies and answers,
   * otherwise (or then, in a second statement) the general one, which takes one request as a batch of one.
   */
  private List<ConsumeResult> consume(Connection c, List<ConsumeRequest> requests) throws SQLException {
    if (fastConsume) {
      List<ConsumeResult> results = consumeFast(c, requests);
      if (results != null) {
        return results;
      }
      // first use of a cell, or a cell with a lookback: nothing was changed, the function handles it
    }
    // ConsumeRequest guarantees each (subject, key) at most once, as the function requires.
    try (PreparedStatement ps = c.prepareStatement(sql.consumeFunction())) {
      PostgresArrays.bind(ps, c, requests);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return PostgresArrays.results((Object[]) rs.getArray(1).getArray(), requests);
      }
    }
  }

  /**
   * Runs {@code counter_consume_fast} (see {@link FastConsume}); answers null, having changed nothing (or
   * without a statement), when the general function must run.
   */
  private @Nullable List<ConsumeResult> consumeFast(Connection c, List<ConsumeRequest> requests)
      throws SQLException {
    FastConsume fast = fastFunctionMissing ? null : FastConsume.of(requests);
    if (fast == null) {
      return null;
    }
    Object[] parameters = fast.parameters();
    // The same SQL on the same connection: pgjdbc's statement cache makes it a server-side prepared
    // statement after prepareThreshold (default 5) uses. Primitive arrays bind without boxing.
    try (PreparedStatement ps = c.prepareStatement(sql.fastConsume())) {
      for (int i = 0; i < parameters.length; i++) {
        ps.setObject(i + 1, parameters[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return fast.results((Object[]) rs.getArray(1).getArray());
      }
    } catch (SQLException e) {
      if (!UNDEFINED_FUNCTION.equals(e.getSQLState())) {
        throw e;
      }
      // The statement failed alone (autocommit): nothing was written, the connection is fine.
      fastFunctionMissing = true;
      LOG.warn("{}counter_consume_fast is missing, so every consume takes the general function: create it"
          + " from dev/limits/jdbc/postgresql.sql, or build the counter with createSchemaIfMissing(true)",
          prefix);
      return null;
    }
  }
}
