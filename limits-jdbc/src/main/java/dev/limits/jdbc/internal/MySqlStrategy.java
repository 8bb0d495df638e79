package dev.limits.jdbc.internal;

import dev.limits.spi.ConsumeRequest;
import dev.limits.spi.ConsumeResult;

/**
 * A consume on MariaDB and MySQL: a short transaction of a few statements, the script of
 * {@link Transactions} (read, lock with {@code SELECT ... FOR UPDATE}, write), committed by the
 * {@link Retrier}. A taken operation id rolls it back and answers from the first request's record.
 */
final class MySqlStrategy implements ConsumeStrategy {

  private final Transactions transactions;
  private final Retrier retrier;

  MySqlStrategy(Transactions transactions, Retrier retrier) {
    this.transactions = transactions;
    this.retrier = retrier;
  }

  @Override
  public ConsumeResult consume(ConsumeRequest request) {
    return retrier.call(Retrier.what(request), Retrier.idempotent(request), false, c -> {
      ConsumeResult result = transactions.consume(c, request);
      if (result == null) {
        c.rollback();
        return transactions.duplicate(c, request);
      }
      return result;
    });
  }
}
