package dev.limits.internal;

import dev.limits.Denial;
import dev.limits.Period;
import dev.limits.Quota;
import dev.limits.spi.ConsumeRequest;
import dev.limits.spi.ConsumeRequest.Mode;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A request resolved against its policies at one instant: the access rules that deny it, and the
 * {@link Charges} it makes, with their subjects. Immutable.
 */
public final class Evaluation {

  /** When the request was evaluated. */
  public final Instant now;
  /** {@link #now} in epoch milliseconds. */
  public final long millis;
  /** The zone of the first subject's calendar windows, in which its decision's messages speak. */
  public final ZoneId zone;
  /** The access rules that deny the request, in evaluation order; usually empty. */
  public final List<Denial> forbidden;
  /** The first subject, who owns the operation id. */
  public final String subject;
  private final String @Nullable [] subjects; // every subject, the first included; null for one
  /** What the request charges. */
  public final Charges charges;
  /** The number of charges. */
  public final int size;

  /**
   * Creates an evaluation.
   *
   * @param subjects every subject when there are several (the first being {@code subject}), else null; kept,
   *                 not copied
   */
  public Evaluation(Instant now, ZoneId zone, List<Denial> forbidden, String subject,
      String @Nullable [] subjects, Charges charges) {
    this.now = now;
    this.millis = now.toEpochMilli();
    this.zone = zone;
    this.forbidden = forbidden;
    this.subject = subject;
    this.subjects = subjects;
    this.charges = charges;
    this.size = charges.size;
  }

  /**
   * {@return this evaluation's charges, in the same periods, with {@code finals[j]} as the amount of charge
   * {@code j}, sent to the counter at {@code at}}
   */
  public Evaluation withAmounts(long[] finals, Instant at) {
    return new Evaluation(at, zone, forbidden, subject, subjects, charges.withAmounts(finals.clone()));
  }

  /** {@return whether the request charges more than one subject} */
  public boolean severalSubjects() {
    return subjects != null;
  }

  /** {@return the subject of charge {@code j}} */
  public String subject(int j) {
    String[] s = subjects;
    return s == null ? subject : s[charges.subjectOf(j)];
  }

  /** {@return the quota of charge {@code j}} */
  public Quota quota(int j) {
    return charges.quota(j);
  }

  /** {@return the period of charge {@code j}'s quota} */
  public Period period(int j) {
    return charges.period(j);
  }

  /** {@return the amount of charge {@code j}} */
  public long amount(int j) {
    return charges.amount(j);
  }

  /** {@return the request to a store that carries these charges out in {@code mode}} */
  ConsumeRequest request(Mode mode, @Nullable String operationId, long expiresAt) {
    return charges.request(subject, subjects, mode, operationId, expiresAt, millis);
  }
}
