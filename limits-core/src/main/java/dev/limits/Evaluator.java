package dev.limits;

import dev.limits.internal.Charges;
import dev.limits.internal.Evaluation;
import dev.limits.internal.PeriodCache;
import dev.limits.spi.Slot;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Resolves a request against its policies at one instant, once per call: the access rules that deny it and
 * the quotas it charges, as an {@link Evaluation}. For the common request (one subject, every quota of the
 * policy charged in order) the evaluation shares the policy's precompiled arrays and current frame.
 */
final class Evaluator {

  private Evaluator() {}

  /**
   * Evaluates {@code request} under {@code policy} (and its budgets under theirs) at {@code now}: its
   * {@linkplain #charges charges} and the {@linkplain #judge access denials}.
   *
   * @throws NullPointerException     if an argument is null
   * @throws IllegalArgumentException if the request names a metric {@code policy} does not know, or one a
   *                                  budget's policy knows with other units
   */
  static Evaluation evaluate(LimitPolicy policy, LimitRequest request, Instant now) {
    Charges charges = charges(policy, request, now);
    return new Evaluation(now, zone(policy, request), judge(policy, request, now), request.subject(),
        request.budgets().isEmpty() ? null : subjects(request), charges);
  }

  /**
   * The charges of {@code request} under {@code policy} (and its budgets under theirs) at {@code now}: every
   * quota whose metric the request names and whose models include its model. Allocates nothing in the
   * common case, one amount charged by every quota of a policy without budgets.
   *
   * @throws NullPointerException     if an argument is null
   * @throws IllegalArgumentException as {@link #evaluate}
   */
  static Charges charges(LimitPolicy policy, LimitRequest request, Instant now) {
    Amounts amounts = requireKnownMetrics(policy, request);
    Metric plain = policy.plainMetric();
    if (plain != null && request.budgets().isEmpty()) {
      // Every quota counts this one metric for every model: all of them are charged its amount, if any.
      int entry = amounts.size() == 1 && amounts.metric(0) == plain ? 0 : amounts.indexOf(plain);
      return entry < 0 ? Charges.NONE
          : policy.periods().frame(now, now.toEpochMilli(), zone(policy, request)).all(amounts.value(entry));
    }
    return request.budgets().isEmpty() ? one(policy, request, amounts, now, zone(policy, request))
        : several(policy, request, amounts, now);
  }

  /** {@return the zone of {@code policy}'s calendar windows for {@code request}: the request's, or its own} */
  static ZoneId zone(LimitPolicy policy, LimitRequest request) {
    ZoneId zone = request.zone();
    return zone != null ? zone : policy.zone();
  }

  /**
   * An evaluation that charges nothing to every quota of {@code policy} for {@code subject}: its usage as it
   * stands, in {@code zone}.
   */
  static Evaluation usage(LimitPolicy policy, String subject, ZoneId zone, Instant now) {
    PeriodCache cache = policy.periods();
    PeriodCache.Frame frame = cache.frame(now, now.toEpochMilli(), zone);
    // Not frame.all(0), whose cache is for the amount that requests charge.
    Charges all = new Charges(cache.quotas().length, cache.quotas(), frame.periods(), cache.keyIds(), frame.slots(),
        cache.limits(), null, null, 0, frame);
    return new Evaluation(now, zone, List.of(), subject, null, all);
  }

  private static String[] subjects(LimitRequest request) {
    List<LimitRequest.Budget> budgets = request.budgets();
    String[] subjects = new String[budgets.size() + 1];
    subjects[0] = request.subject();
    for (int s = 1; s < subjects.length; s++) {
      subjects[s] = budgets.get(s - 1).subject();
    }
    return subjects;
  }

  /**
   * The charges of a request of one subject, in general: the quotas whose metric the request names and
   * whose models include its model.
   */
  private static Charges one(LimitPolicy policy, LimitRequest request, Amounts amounts, Instant now,
      ZoneId zone) {
    Quota[] quotas = policy.periods().quotas();
    long[] charged = new long[quotas.length];
    int[] index = null; // quota positions of the charges, unless they are the quotas 0 to n - 1
    int n = 0;
    // Windows of one metric are usually declared together: look its amount up once, not once per window.
    Metric metric = null;
    int entry = -1;
    for (int i = 0; i < quotas.length; i++) {
      Quota q = quotas[i];
      if (q.metric() != metric) {
        metric = q.metric();
        entry = amounts.indexOf(metric);
      }
      if (entry >= 0 && q.appliesTo(request.model())) {
        if (index == null && n != i) {
          index = new int[quotas.length];
          for (int k = 0; k < n; k++) {
            index[k] = k;
          }
        }
        if (index != null) {
          index[n] = i;
        }
        charged[n] = amounts.value(entry);
        n++;
      }
    }
    if (n == 0) {
      return Charges.NONE;
    }
    PeriodCache cache = policy.periods();
    PeriodCache.Frame frame = cache.frame(now, now.toEpochMilli(), zone);
    if (index == null) { // the first n quotas, in order: the policy's own arrays
      return new Charges(n, quotas, frame.periods(), cache.keyIds(), frame.slots(), cache.limits(), null,
          charged, 0, n == quotas.length ? frame : null);
    }
    Gathered g = new Gathered(n);
    for (int j = 0; j < n; j++) {
      g.add(0, frame, index[j], cache, charged[j]);
    }
    return g.charges(false);
  }

  /** The charges of a request that charges budgets besides its own subject's. */
  private static Charges several(LimitPolicy policy, LimitRequest request, Amounts amounts, Instant now) {
    List<LimitRequest.Budget> budgets = request.budgets();
    int most = policy.quotas().size();
    for (LimitRequest.Budget b : budgets) {
      requireCompatibleMetrics(b.policy(), amounts);
      most += b.policy().quotas().size();
    }
    Gathered g = new Gathered(most);
    for (int s = 0; s <= budgets.size(); s++) {
      LimitPolicy p = s == 0 ? policy : budgets.get(s - 1).policy();
      PeriodCache cache = p.periods();
      Quota[] quotas = cache.quotas();
      if (quotas.length == 0) {
        continue;
      }
      PeriodCache.Frame frame = cache.frame(now, now.toEpochMilli(), zone(p, request));
      for (int i = 0; i < quotas.length; i++) {
        int entry = amounts.indexOf(quotas[i].metric());
        if (entry >= 0 && quotas[i].appliesTo(request.model())) {
          g.add(s, frame, i, cache, amounts.value(entry));
        }
      }
    }
    return g.size == 0 ? Charges.NONE : g.charges(true);
  }

  /** Charges that do not share a policy's arrays, gathered one by one. */
  private static final class Gathered {
    int size;
    final int[] subjectOf;
    final Quota[] quotas;
    final Period[] periods;
    final int[] keyIds;
    final Slot[] slots;
    final long[] limits;
    final long[] amounts;

    Gathered(int most) {
      subjectOf = new int[most];
      quotas = new Quota[most];
      periods = new Period[most];
      keyIds = new int[most];
      slots = new Slot[most];
      limits = new long[most];
      amounts = new long[most];
    }

    /** Adds a charge of {@code amount} to quota {@code i} of {@code cache}, in {@code frame}, for subject {@code s}. */
    void add(int s, PeriodCache.Frame frame, int i, PeriodCache cache, long amount) {
      subjectOf[size] = s;
      quotas[size] = cache.quotas()[i];
      periods[size] = frame.period(i);
      keyIds[size] = cache.keyIds()[i];
      slots[size] = frame.slot(i);
      limits[size] = cache.limits()[i];
      amounts[size] = amount;
      size++;
    }

    Charges charges(boolean severalSubjects) {
      return new Charges(size, quotas, periods, keyIds, slots, limits, severalSubjects ? subjectOf : null,
          amounts, 0, null);
    }
  }

  /** Checks that every metric of {@code request} is one of {@code policy}'s, and returns the amounts. */
  private static Amounts requireKnownMetrics(LimitPolicy policy, LimitRequest request) {
    Objects.requireNonNull(policy, "policy");
    Amounts amounts = Objects.requireNonNull(request, "request").amounts();
    if (amounts.size() != 1 || amounts.metric(0) != policy.plainMetric()) {
      requireKnownMetrics(policy, amounts);
    }
    return amounts;
  }

  /** {@link #requireKnownMetrics(LimitPolicy, LimitRequest)} in general, kept apart so that it stays small. */
  private static void requireKnownMetrics(LimitPolicy policy, Amounts amounts) {
    for (int i = 0; i < amounts.size(); i++) {
      Metric m = amounts.metric(i);
      if (policy.knowsInstance(m)) {
        continue;
      }
      Metric known = policy.metrics().get(m.name());
      if (m != known && !m.equals(known)) {
        throw new IllegalArgumentException(known == null
            ? "unknown metric '" + m.name() + "' for policy '" + policy.name() + "'; known: "
                + policy.metrics().keySet()
            : otherUnits(m, policy, known));
      }
    }
  }

  /**
   * Checks that no metric of {@code amounts} is one a budget's {@code policy} knows by its name with other
   * units; a budget may leave a metric out (its quotas then do not charge it).
   */
  private static void requireCompatibleMetrics(LimitPolicy policy, Amounts amounts) {
    for (int i = 0; i < amounts.size(); i++) {
      Metric m = amounts.metric(i);
      Metric known = policy.metrics().get(m.name());
      if (known != null && m != known && !m.equals(known)) {
        throw new IllegalArgumentException(otherUnits(m, policy, known));
      }
    }
  }

  private static String otherUnits(Metric m, LimitPolicy policy, Metric known) {
    return "metric '" + m.name() + "' has other units in policy '" + policy.name() + "': " + known;
  }

  /**
   * The denials of every access rule of {@code policy}, then of each budget's policy, that denies
   * {@code request} at {@code now}; the empty list, allocating nothing, when none does.
   */
  static List<Denial> judge(LimitPolicy policy, LimitRequest request, Instant now) {
    List<LimitRequest.Budget> budgets = request.budgets();
    if (budgets.isEmpty() && policy.rules().isEmpty()) {
      return List.of();
    }
    List<Denial> forbidden = judge(policy, request, request.subject(), now, List.of());
    for (int s = 0; s < budgets.size(); s++) { // no iterator: this runs on every call
      forbidden = judge(budgets.get(s).policy(), request, budgets.get(s).subject(), now, forbidden);
    }
    return forbidden;
  }

  /** Returns {@code denials} with the denial of each access rule of {@code policy} that denies {@code request}. */
  private static List<Denial> judge(LimitPolicy policy, LimitRequest request, String subject, Instant now,
      List<Denial> denials) {
    List<AccessRule> rules = policy.rules();
    List<Denial> result = denials;
    for (int i = 0; i < rules.size(); i++) {
      Denial d = judge(rules.get(i), request, subject, now);
      if (d != null) {
        if (result.isEmpty()) {
          result = new ArrayList<>(rules.size());
        }
        result.add(d);
      }
    }
    return result;
  }

  private static @Nullable Denial judge(AccessRule rule, LimitRequest request, String subject, Instant now) {
    if (rule instanceof AccessRule.Validity) {
      AccessRule.Validity v = (AccessRule.Validity) rule;
      return v.isValidAt(now) ? null : forbidden(subject, rule, 0, 0, null);
    } else if (rule instanceof AccessRule.AllowedModels) {
      String model = request.model();
      return model == null || ((AccessRule.AllowedModels) rule).models().contains(model) ? null
          : forbidden(subject, rule, 0, 0, model);
    } else if (rule instanceof AccessRule.MaxFileSize) {
      long max = ((AccessRule.MaxFileSize) rule).maxBytes();
      long size = request.fileSize().orElse(-1);
      return size <= max ? null : forbidden(subject, rule, max, size, Long.toString(size));
    } else {
      String ext = request.fileExtension();
      return ext == null || ((AccessRule.AllowedExtensions) rule).allows(ext) ? null
          : forbidden(subject, rule, 0, 0, ext.startsWith(".") ? ext.substring(1) : ext);
    }
  }

  private static Denial forbidden(String subject, AccessRule rule, long limit, long used, @Nullable String detail) {
    return new Denial(subject, Decision.Outcome.FORBIDDEN, rule.reason(), rule.id(), null, limit, used, 0, null,
        detail);
  }
}
