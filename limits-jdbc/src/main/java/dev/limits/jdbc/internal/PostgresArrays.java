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
 * Packs consume requests into the arrays the PL/pgSQL functions {@code counter_consume} (one request) and
 * {@code counter_consume_batch} (several, run in order) take, and decodes their answer: per request its
 * status code, then per charge its usage and 1 if it fits, 0 if not ({@code [status, used_1, fits_1, ...]},
 * the requests one after another). {@link FastConsume} packs the third function's cells.
 */
final class PostgresArrays {

  private PostgresArrays() {}

  /** The requests' charges, one after another, as parallel arrays. */
  private static final class Charges {
    final String[] subjects;
    final Integer[] modes;
    final String[] keys;
    final Long[] starts;
    final Long[] ends;
    final Integer[] lookbacks;
    final Long[] limits;
    final Long[] amounts;

    private Charges(int total) {
      subjects = new String[total];
      modes = new Integer[total];
      keys = new String[total];
      starts = new Long[total];
      ends = new Long[total];
      lookbacks = new Integer[total];
      limits = new Long[total];
      amounts = new Long[total];
    }

    static Charges of(List<ConsumeRequest> requests) {
      int total = 0;
      for (ConsumeRequest request : requests) {
        total += request.charges().size();
      }
      Charges all = new Charges(total);
      int k = 0;
      for (ConsumeRequest request : requests) {
        for (Charge charge : request.charges()) {
          all.subjects[k] = request.subject();
          all.modes[k] = request.mode().code();
          all.keys[k] = charge.slot().key();
          all.starts[k] = charge.slot().start();
          all.ends[k] = charge.slot().end();
          all.lookbacks[k] = charge.slot().lookback();
          all.limits[k] = charge.limit();
          all.amounts[k] = charge.amount();
          k++;
        }
      }
      return all;
    }
  }

  /** The fingerprint the functions compare, 0 without an operation id. */
  private static long fingerprint(ConsumeRequest request) {
    return request.operationId() == null ? 0 : request.fingerprint();
  }

  /** Binds {@code request} to the parameters of {@link Sql#consumeFunction()} on PostgreSQL. */
  static void bindOne(PreparedStatement ps, Connection c, ConsumeRequest request) throws SQLException {
    Charges charges = Charges.of(List.of(request));
    ps.setString(1, request.subject());
    ps.setArray(2, c.createArrayOf("varchar", charges.keys));
    ps.setArray(3, c.createArrayOf("bigint", charges.starts));
    ps.setArray(4, c.createArrayOf("bigint", charges.ends));
    ps.setArray(5, c.createArrayOf("integer", charges.lookbacks));
    ps.setArray(6, c.createArrayOf("bigint", charges.limits));
    ps.setArray(7, c.createArrayOf("bigint", charges.amounts));
    ps.setInt(8, request.mode().code());
    ps.setString(9, request.operationId());
    ps.setLong(10, request.expiresAt());
    ps.setLong(11, request.now());
    ps.setLong(12, fingerprint(request));
  }

  /** Binds {@code requests} to the parameters of {@link Sql#consumeBatchFunction()}. */
  static void bindBatch(PreparedStatement ps, Connection c, List<ConsumeRequest> requests) throws SQLException {
    int n = requests.size();
    String[] subjects = new String[n];
    Integer[] counts = new Integer[n];
    Integer[] modes = new Integer[n];
    @Nullable String[] ops = new String[n];
    Long[] expires = new Long[n];
    Long[] nows = new Long[n];
    Long[] fingerprints = new Long[n];
    for (int q = 0; q < n; q++) {
      ConsumeRequest request = requests.get(q);
      subjects[q] = request.subject();
      counts[q] = request.charges().size();
      modes[q] = request.mode().code();
      ops[q] = request.operationId();
      expires[q] = request.expiresAt();
      nows[q] = request.now();
      fingerprints[q] = fingerprint(request);
    }
    Charges charges = Charges.of(requests);
    ps.setArray(1, c.createArrayOf("varchar", subjects));
    ps.setArray(2, c.createArrayOf("integer", counts));
    ps.setArray(3, c.createArrayOf("integer", modes));
    ps.setArray(4, c.createArrayOf("varchar", ops));
    ps.setArray(5, c.createArrayOf("bigint", expires));
    ps.setArray(6, c.createArrayOf("bigint", nows));
    ps.setArray(7, c.createArrayOf("varchar", charges.subjects));
    ps.setArray(8, c.createArrayOf("integer", charges.modes));
    ps.setArray(9, c.createArrayOf("varchar", charges.keys));
    ps.setArray(10, c.createArrayOf("bigint", charges.starts));
    ps.setArray(11, c.createArrayOf("bigint", charges.ends));
    ps.setArray(12, c.createArrayOf("integer", charges.lookbacks));
    ps.setArray(13, c.createArrayOf("bigint", charges.limits));
    ps.setArray(14, c.createArrayOf("bigint", charges.amounts));
    ps.setArray(15, c.createArrayOf("bigint", fingerprints));
  }

  /** Decodes a function's answer {@code values} into the results of {@code requests}, in order. */
  static List<ConsumeResult> results(Object[] values, List<ConsumeRequest> requests) {
    List<ConsumeResult> results = new ArrayList<>(requests.size());
    int at = 0;
    for (ConsumeRequest request : requests) {
      int n = request.charges().size();
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
