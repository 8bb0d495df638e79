package dev.limits.jdbc.internal;

import dev.limits.jdbc.JdbcDialect;
import dev.limits.spi.ConsumeRequest;
import dev.limits.spi.ConsumeResult;

/**
 * How a counter runs a consume on its dialect, chosen once when the counter is built: {@link PostgresStrategy}
 * (one statement, coalesced batches), {@link H2Strategy} (one statement into the engine),
 * {@link MySqlStrategy} (a short transaction). Each goes through the counter's {@link Retrier}.
 */
public interface ConsumeStrategy {

  /**
   * Runs {@code request}: counts it, or answers why not.
   *
   * @throws dev.limits.spi.StorageException if it failed for good
   */
  ConsumeResult consume(ConsumeRequest request);

  /**
   * The strategy for {@code dialect}.
   *
   * @param coalesce             on PostgreSQL, whether concurrent consumes share batches
   * @param maxConcurrentBatches on PostgreSQL with {@code coalesce}, the most batches running at once
   * @param fastConsume          on PostgreSQL, whether to try {@code counter_consume_fast} first
   */
  static ConsumeStrategy of(JdbcDialect dialect, Sql sql, String prefix, Transactions transactions,
      Retrier retrier, boolean coalesce, int maxConcurrentBatches, boolean fastConsume) {
    switch (dialect) {
      case POSTGRESQL:
        return new PostgresStrategy(sql, prefix, retrier, coalesce, maxConcurrentBatches, fastConsume);
      case H2:
        return new H2Strategy(sql, prefix, retrier);
      default:
        return new MySqlStrategy(transactions, retrier);
    }
  }
}
