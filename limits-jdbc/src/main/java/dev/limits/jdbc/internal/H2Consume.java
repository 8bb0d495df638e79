package dev.limits.jdbc.internal;

import dev.limits.jdbc.JdbcDialect;
import dev.limits.spi.ConsumeRequest;
import dev.limits.spi.ConsumeResult;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The body of H2's consume function ({@code CALL <prefix>counter_consume(?, ?)}): the transaction script
 * of {@link Transactions}, run inside the H2 engine on the caller's session, so that a consume is one
 * statement from the application's side and commits with it.
 */
public final class H2Consume {

  private static final ConcurrentHashMap<String, Transactions> SCRIPTS = new ConcurrentHashMap<>();

  private H2Consume() {}

  /**
   * Called by H2.
   *
   * @param connection the session, supplied by H2
   * @param prefix     the table prefix, checked again here since it is spliced into SQL
   * @param request    the request as {@link RequestCodec} encodes it
   * @return the result as {@link RequestCodec} encodes it
   */
  public static String consume(Connection connection, String prefix, String request) throws SQLException {
    Transactions script = SCRIPTS.computeIfAbsent(Prefixes.require(prefix),
        p -> new Transactions(new Sql(JdbcDialect.H2, p), true));
    ConsumeRequest decoded = RequestCodec.decode(request);
    // In the engine a taken operation id fails the statement instead (see Transactions), so there is a result.
    ConsumeResult result = Objects.requireNonNull(script.consume(connection, decoded), "result");
    return RequestCodec.encode(result);
  }
}
