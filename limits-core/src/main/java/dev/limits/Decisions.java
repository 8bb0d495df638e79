package dev.limits;

import dev.limits.internal.Checks;
import dev.limits.internal.Evaluation;
import dev.limits.internal.Tally;
import dev.limits.spi.ConsumeResult;
import java.time.Instant;
import java.time.ZoneId;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.RandomAccess;
import org.jspecify.annotations.Nullable;

/**
 * Turns an evaluation and the counter's tally into a {@link Decision}: the one place where denials, usage
 * and warnings are made. An allowed consume's caller seldom reads the usage, and a denied one's seldom more
 * than the first denial, so both lists are built on first use; warnings, which listeners hear at once, are
 * not.
 */
final class Decisions {

  private final MessageCatalog messages;
  private final double warningThreshold;

  Decisions(MessageCatalog messages, double warningThreshold) {
    this.messages = messages;
    this.warningThreshold = warningThreshold;
  }

  /**
   * The decision on {@code e}.
   *
   * @param tally what the counter answered, or null when it was not asked (an access rule denied, or
   *              nothing is charged)
   * @param check whether the counter only checked, so that usage is as it stands and warnings look at the
   *              usage the request would bring
   */
  Decision decide(Evaluation e, @Nullable Tally tally, boolean check) {
    List<Denial> forbidden = e.forbidden;
    boolean quotaDenied = tally != null && tally.status == ConsumeResult.Status.DENIED;
    Decision.Outcome outcome = !forbidden.isEmpty() ? Decision.Outcome.FORBIDDEN
        : quotaDenied ? Decision.Outcome.QUOTA_EXCEEDED : Decision.Outcome.ALLOWED;
    List<Denial> denials = tally != null && quotaDenied ? new Denials(e, tally) : List.copyOf(forbidden);
    List<QuotaUsage> usage = tally == null ? List.of() : new Usage(e, tally);
    List<Warning> warnings = List.of();
    if (outcome == Decision.Outcome.ALLOWED && tally != null) {
      for (int j = 0; j < e.size; j++) {
        long after = check ? Checks.saturatedAdd(tally.used(j), e.amount(j)) : tally.used(j);
        long limit = e.quota(j).limit();
        if (limit > 0 && after >= warningThreshold * limit) {
          warnings = warnings.isEmpty() ? new ArrayList<>() : warnings;
          warnings.add(new Warning(usage(e, j, after), warningThreshold));
        }
      }
      warnings = List.copyOf(warnings);
    }
    return new Decision(outcome, e.now, denials, usage, warnings, messages, e.zone, false);
  }

  /**
   * The decision on a request of {@code subject} at {@code now} when the counter failed: allowed with
   * nothing counted if {@code failOpen}, otherwise denied as unavailable; {@code outcomeUnknown} as the
   * counter said.
   */
  Decision unavailable(String subject, Instant now, ZoneId zone, boolean failOpen, boolean outcomeUnknown) {
    if (failOpen) {
      return new Decision(Decision.Outcome.ALLOWED, now, List.of(), List.of(), List.of(), messages, zone,
          outcomeUnknown);
    }
    Denial d = new Denial(subject, Decision.Outcome.UNAVAILABLE, Denial.Reason.STORAGE_UNAVAILABLE, "storage",
        null, 0, 0, 0, null, null);
    return new Decision(Decision.Outcome.UNAVAILABLE, now, List.of(d), List.of(), List.of(), messages, zone,
        outcomeUnknown);
  }

  /** {@return the usage of each charge of {@code e} as {@code tally} has it, built on first use} */
  List<QuotaUsage> usage(Evaluation e, Tally tally) {
    return new Usage(e, tally);
  }

  private static QuotaUsage usage(Evaluation e, int j, long used) {
    return new QuotaUsage(e.subject(j), e.quota(j), used, e.period(j));
  }

  /** The denial of a quota whose usage leaves no room for {@code requested}. */
  private static Denial quotaDenial(QuotaUsage usage, long requested) {
    Quota q = usage.quota();
    return new Denial(usage.subject(), Decision.Outcome.QUOTA_EXCEEDED, Denial.Reason.QUOTA_EXCEEDED, q.id(), q,
        q.limit(), usage.used(), requested, usage.resetsAt().orElse(null), null);
  }

  /**
   * An immutable list built on first use. Everything it is built from is final, so even a decision published
   * through a race builds a correct list, and two first readers only build two equal immutable lists.
   */
  private abstract static class Lazy<T> extends AbstractList<T> implements RandomAccess {
    private @Nullable List<T> built;

    final Evaluation e;
    final Tally tally;

    Lazy(Evaluation e, Tally tally) {
      this.e = e;
      this.tally = tally;
    }

    abstract List<T> build();

    private List<T> list() {
      List<T> b = built;
      if (b == null) {
        b = build();
        built = b;
      }
      return b;
    }

    @Override
    public T get(int index) {
      return list().get(index);
    }

    @Override
    public int size() {
      return list().size();
    }
  }

  /** The usage of each charge, as the tally has it. */
  private static final class Usage extends Lazy<QuotaUsage> {
    Usage(Evaluation e, Tally tally) {
      super(e, tally);
    }

    @Override
    List<QuotaUsage> build() {
      QuotaUsage[] all = new QuotaUsage[e.size];
      for (int j = 0; j < all.length; j++) {
        all[j] = usage(e, j, tally.used(j));
      }
      return List.of(all);
    }
  }

  /** The access denials, then the denial of each charge that did not fit. */
  private static final class Denials extends Lazy<Denial> {
    Denials(Evaluation e, Tally tally) {
      super(e, tally);
    }

    @Override
    List<Denial> build() {
      List<Denial> all = new ArrayList<>(e.forbidden);
      for (int j = 0; j < e.size; j++) {
        if (!tally.fits(j)) {
          all.add(quotaDenial(usage(e, j, tally.used(j)), e.amount(j)));
        }
      }
      return List.copyOf(all);
    }
  }
}
