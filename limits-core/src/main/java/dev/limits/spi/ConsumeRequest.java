package dev.limits.spi;

import dev.limits.internal.Checks;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One atomic operation on the counters of one subject, as {@link UsageCounter#consume} carries it out.
 *
 * <p>The subject and the operation id pass {@link #requireSubject} and {@link #requireOperationId}, so a
 * store receives only values it can keep apart and never has to refuse one.
 *
 * @param subject     who is counted, 1 to {@value #MAX_SUBJECT_LENGTH} characters
 * @param charges     the cells and amounts, in evaluation order; not empty, each key at most once
 * @param mode        what to do with them
 * @param operationId an idempotency key, scoped to the subject: a second request with the same id changes
 *                    nothing and answers {@link ConsumeResult.Status#DUPLICATE}; required for
 *                    {@link Mode#RESERVE}; may be null otherwise. A {@link Mode#CHECK} and a denied request
 *                    never use up their id
 * @param expiresAt   epoch milliseconds: when a reservation is refunded unless settled, or until when an
 *                    operation id is remembered; ignored without an operation id
 * @param now         the caller's current time, epoch milliseconds
 * @see UsageCounter
 */
public record ConsumeRequest(
    String subject, List<Charge> charges, Mode mode, @Nullable String operationId, long expiresAt, long now) {

  /** The longest subject id a store must accept. */
  public static final int MAX_SUBJECT_LENGTH = 191;

  /** The longest operation id a store must accept. */
  public static final int MAX_OPERATION_ID_LENGTH = 128;

  /** What a {@link ConsumeRequest} does with its charges. */
  public enum Mode {
    /** Counts nothing; reports the usage of each cell and which charges would fit. */
    CHECK,
    /** Counts every charge if all of them fit, otherwise none. */
    ENFORCE,
    /** Like {@link #ENFORCE}, and remembers the charges as a reservation under the operation id. */
    RESERVE,
    /** Counts every charge whether it fits or not (usage that already happened). */
    FORCE,
    /**
     * Subtracts every charge from its cell if the cell is still in the charged period, never below zero.
     */
    REFUND
  }

  /**
   * Creates a request.
   *
   * @param subject     who is counted, 1 to {@value #MAX_SUBJECT_LENGTH} characters
   * @param charges     the cells and amounts, in evaluation order; not empty
   * @param mode        what to do with them
   * @param operationId an idempotency key: a second request with the same id changes nothing and answers
   *                    {@link ConsumeResult.Status#DUPLICATE}; required for {@link Mode#RESERVE}; may be null
   *                    otherwise
   * @param expiresAt   epoch milliseconds: when a reservation is refunded unless settled, or until when an
   *                    operation id is remembered; ignored without an operation id
   * @param now         the caller's current time, epoch milliseconds
   * @throws NullPointerException     if {@code subject}, {@code charges} or {@code mode} is null, or a
   *                                  reservation has no operation id
   * @throws IllegalArgumentException if the subject or operation id is malformed (see
   *                                  {@link #requireSubject}), there are no charges, or two charges have one
   *                                  key
   */
  public ConsumeRequest {
    requireSubject(subject);
    Objects.requireNonNull(mode, "mode");
    charges = List.copyOf(Objects.requireNonNull(charges, "charges"));
    Checks.requireArgument(!charges.isEmpty(), "a consume request needs at least one charge");
    for (int i = 1; i < charges.size(); i++) {
      String key = charges.get(i).slot().key();
      for (int j = 0; j < i; j++) {
        if (charges.get(j).slot().key().equals(key)) {
          throw new IllegalArgumentException("a consume request charges each key once, got '" + key + "' twice");
        }
      }
    }
    if (mode == Mode.RESERVE) {
      Objects.requireNonNull(operationId, "operationId is required to reserve");
    }
    if (operationId != null) {
      requireOperationId(operationId);
    }
  }

  /**
   * Checks a subject id: not null, 1 to {@value #MAX_SUBJECT_LENGTH} characters, not blank, no leading or
   * trailing whitespace, no control characters, well-formed UTF-16. A store may rely on it: such an id is
   * stored as it is, and two different ones never share a row.
   *
   * @param subject the subject id to check
   * @return {@code subject}
   * @throws NullPointerException     if {@code subject} is null
   * @throws IllegalArgumentException if it is empty, blank or too long, starts or ends with whitespace,
   *                                  contains a control character or an unpaired surrogate
   */
  public static String requireSubject(String subject) {
    return Checks.requireIdentifier(Objects.requireNonNull(subject, "subject"), "subject", MAX_SUBJECT_LENGTH);
  }

  /**
   * Checks an operation id: not null, 1 to {@value #MAX_OPERATION_ID_LENGTH} characters, and otherwise as
   * {@link #requireSubject} checks a subject.
   *
   * @param operationId the operation id to check
   * @return {@code operationId}
   * @throws NullPointerException     if {@code operationId} is null
   * @throws IllegalArgumentException if it is empty, blank or too long, starts or ends with whitespace,
   *                                  contains a control character or an unpaired surrogate
   */
  public static String requireOperationId(String operationId) {
    return Checks.requireIdentifier(Objects.requireNonNull(operationId, "operationId"), "operation id",
        MAX_OPERATION_ID_LENGTH);
  }
}
