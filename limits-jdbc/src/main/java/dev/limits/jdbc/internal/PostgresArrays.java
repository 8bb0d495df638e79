package dev.limits.jdbc.internal;

import dev.limits.spi.Charge;
import dev.limits.spi.ConsumeRequest;
import dev.limits.spi.ConsumeResult;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Packs consume requests, one or a coalesced batch, into the arrays that the PL/pgSQL function
 * {@code counter_consume} takes, and decodes its answer. Per request: the subject that owns its operation id,
 * its number of charges, its {@link ConsumeRequest.Mode#code() mode code}, operation id, expiry and
 * fingerprint; per charge, the requests one after another: the subject it charges, its key, slot, limit and
 * amount. The answer holds per request its {@link ConsumeResult.Status#code() status code}, then per charge
 * its usage and 1 if it fits, 0 if not ({@code [status, used_1, fits_1, ...]}). {@link FastConsume} packs the
 * fast function's cells.
 */
final class PostgresArrays {

  private PostgresArrays() {}

  /** Binds {@code requests} to the parameters of {@link Sql#consumeFunction()} on PostgreSQL. */
  static void bind(PreparedStatement ps, Connection c, List<ConsumeRequest> requests) throws SQLException {
    int n = requests.size();
    String[] owners = new String[n];
    int[] counts = new int[n];
    int[] modes = new int[n];
    @Nullable String[] ops = new String[n];
    long[] expires = new long[n];
    long[] fingerprints = new long[n];
    int total = 0;
    for (int q = 0; q < n; q++) {
      ConsumeRequest request = requests.get(q);
      owners[q] = request.subject();
      counts[q] = request.charges().size();
      modes[q] = request.mode().code();
      ops[q] = request.operationId();
      expires[q] = request.expiresAt();
      // compared only with an operation id
      fingerprints[q] = request.operationId() == null ? 0 : request.fingerprint();
      total += counts[q];
    }
    String[] subjects = new String[total];
    String[] keys = new String[total];
    long[] starts = new long[total];
    long[] ends = new long[total];
    int[] lookbacks = new int[total];
    long[] limits = new long[total];
    long[] amounts = new long[total];
    int k = 0;
    for (ConsumeRequest request : requests) {
      for (int i = 0; i < request.charges().size(); i++) {
        Charge charge = request.charges().get(i);
        subjects[k] = request.subjectOf(i);
        keys[k] = charge.slot().key();
        starts[k] = charge.slot().start();
        ends[k] = charge.slot().end();
        lookbacks[k] = charge.slot().lookback();
        limits[k] = charge.limit();
        amounts[k] = charge.amount();
        k++;
      }
    }
    // Primitive arrays bind without boxing; the operation ids may hold nulls.
    ps.setObject(1, owners);
    ps.setObject(2, counts);
    ps.setObject(3, modes);
    ps.setArray(4, c.createArrayOf("varchar", ops));
    ps.setObject(5, expires);
    ps.setObject(6, fingerprints);
    ps.setObject(7, subjects);
    ps.setObject(8, keys);
    ps.setObject(9, starts);
    ps.setObject(10, ends);
    ps.setObject(11, lookbacks);
    ps.setObject(12, limits);
    ps.setObject(13, amounts);
  }

  /**
   * Decodes the function's answer {@code values} into the results of {@code requests}, in order.
   *
   * @throws IllegalStateException if the answer does not match the requests
   */
  static List<ConsumeResult> results(Object[] values, List<ConsumeRequest> requests) {
    List<ConsumeResult> results = new ArrayList<>(requests.size());
    int at = 0;
    for (ConsumeRequest request : requests) {
      int n = request.charges().size();
      if (values.length < at + 1 + 2 * n) {
        throw new IllegalStateException("the consume function answered " + values.length + " values for "
            + requests.size() + " requests");
      }
      long[] used = new long[n];
      boolean[] fits = new boolean[n];
      int status = ((Number) values[at]).intValue();
      for (int i = 0; i < n; i++) {
        used[i] = ((Number) values[at + 1 + 2 * i]).longValue();
        fits[i] = ((Number) values[at + 2 + 2 * i]).longValue() == 1;
      }
      at += 1 + 2 * n;
      results.add(ConsumeResult.of(ConsumeResult.Status.ofCode(status), used, fits));
    }
    return results;
  }
}
