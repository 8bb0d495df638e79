package dev.limits.benchmarks;

import dev.limits.LimitPolicy;
import dev.limits.Limiter;
import dev.limits.QuotaUsage;
import java.util.List;
import javax.sql.DataSource;

/** The checks after a trial: the database holds exactly the allowed decisions, within every limit. */
final class Exact {

  private Exact() {}

  /**
   * Throws unless each of our counters holds {@code allowed} (read back through {@link Limiter#usage} on
   * the hot subject, {@link Fixtures#subject subject(0)}; summed per counter key in SQL otherwise) and no
   * counter exceeds its limit.
   */
  static void counters(Limiter limiter, LimitPolicy policy, DataSource db, boolean hot, long allowed) {
    if (hot) {
      for (QuotaUsage u : limiter.usage(policy, Fixtures.subject(0)).quotas()) {
        expect(u.used(), allowed, "limits: " + u.quota().counterKey() + " of the hot subject");
        if (u.used() > u.limit()) {
          throw new IllegalStateException("limits: OVERSHOOT of " + u.quota().counterKey() + ", " + u.used()
              + " used of " + u.limit());
        }
      }
      return;
    }
    List<List<String>> rows = Db.query(db, "SELECT counter_key, COALESCE(SUM(used), 0), MAX(used) "
        + "FROM limits_counter GROUP BY counter_key");
    expect(rows.size(), allowed == 0 ? 0 : policy.quotas().size(), "limits: counter keys");
    for (List<String> row : rows) {
      expect(Long.parseLong(row.get(1)), allowed, "limits: the sum of " + row.get(0));
      long limit = policy.quotas().get(0).limit();
      if (Long.parseLong(row.get(2)) > limit) {
        throw new IllegalStateException("limits: OVERSHOOT of " + row.get(0) + ", " + row.get(2) + " > " + limit);
      }
    }
  }

  static void expect(long actual, long expected, String what) {
    if (actual != expected) {
      throw new IllegalStateException(what + ": the database holds " + actual + ", expected " + expected);
    }
  }
}
