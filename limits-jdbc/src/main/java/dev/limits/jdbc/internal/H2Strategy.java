package dev.limits.jdbc.internal;

import dev.limits.spi.ConsumeRequest;
import dev.limits.spi.ConsumeResult;
import java.sql.PreparedStatement;
import java.sql.ResultSet;

/**
 * A consume on H2: one autocommitted {@code CALL <prefix>counter_consume(prefix, request)}, the request
 * and its result carried as text by {@link RequestCodec}; the engine runs {@link H2Consume}, the transaction
 * script of {@link Transactions}, on the caller's session. A statement that lost a race to insert a cell or
 * an operation id fails as a whole and is retried (see {@link Retrier}).
 */
final class H2Strategy implements ConsumeStrategy {

  private final Sql sql;
  private final String prefix;
  private final Retrier retrier;

  H2Strategy(Sql sql, String prefix, Retrier retrier) {
    this.sql = sql;
    this.prefix = prefix;
    this.retrier = retrier;
  }

  @Override
  public ConsumeResult consume(ConsumeRequest request) {
    // ConsumeRequest guarantees each key at most once, as the one-statement function requires.
    return retrier.call(Retrier.what(request), Retrier.idempotent(request), true, c -> {
      try (PreparedStatement ps = c.prepareStatement(sql.consumeFunction())) {
        ps.setString(1, prefix);
        ps.setString(2, RequestCodec.encode(request));
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return RequestCodec.decodeResult(rs.getString(1), request.charges().size());
        }
      }
    });
  }
}
