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
 *                    nothing and answers {@link ConsumeResult.Status#DUPLICATE}, or
 *                    {@link ConsumeResult.Status#MISMATCH} if its {@link #fingerprint()} differs; required for
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
    CHECK(0),
    /** Counts every charge if all of them fit, otherwise none. */
    ENFORCE(1),
    /** Like {@link #ENFORCE}, and remembers the charges as a reservation under the operation id. */
    RESERVE(2),
    /** Counts every charge whether it fits or not (usage that already happened). */
    FORCE(3),
    /**
     * Subtracts every charge from its cell if the cell is still in the charged period, never below zero.
     */
    REFUND(4);

    private static final Mode[] BY_CODE = {CHECK, ENFORCE, RESERVE, FORCE, REFUND};

    private final int code;

    Mode(int code) {
      this.code = code;
    }

    /** {@return the mode's stable code, as stores write it: 0 check, 1 enforce, 2 reserve, 3 force, 4 refund} */
    public int code() {
      return code;
    }

    /**
     * Returns the mode of a code.
     *
     * @param code a code of {@link #code()}
     * @return its mode
     * @throws IllegalArgumentException if no mode has that code
     */
    public static Mode ofCode(int code) {
      Checks.requireArgument(code >= 0 && code < BY_CODE.length, "no mode has code %s", code);
      return BY_CODE[code];
    }
  }

  /**
   * Creates a request.
   *
   * @param subject     who is counted, 1 to {@value #MAX_SUBJECT_LENGTH} characters
   * @param charges     the cells and amounts, in evaluation order; not empty
   * @param mode        what to do with them
   * @param operationId an idempotency key: a second request with the same id changes nothing and answers
   *                    {@link ConsumeResult.Status#DUPLICATE}, or {@link ConsumeResult.Status#MISMATCH} if its
   *                    {@link #fingerprint()} differs; required for {@link Mode#RESERVE}; may be null
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
   * Returns a 64-bit fingerprint of what this request does, which a store remembers with its operation id
   * so that a second request with that id is told apart: the same fingerprint is a retry
   * ({@link ConsumeResult.Status#DUPLICATE}), another one a different request that reuses the id
   * ({@link ConsumeResult.Status#MISMATCH}).
   *
   * <p>It covers the mode's family (counting: {@link Mode#CHECK}, {@link Mode#ENFORCE} and
   * {@link Mode#FORCE}; {@link Mode#RESERVE}; {@link Mode#REFUND}) and each charge's key and amount, in any
   * order. It leaves out the subject and the id (they find the stored operation), the limits (a plan upgraded
   * between two attempts), the periods (a retry after a period boundary is still a retry), the expiry and the
   * clock. Equal requests in that sense have equal fingerprints in every JVM and every version, since stores
   * keep them: each charge is hashed as FNV-1a (64-bit) over the UTF-16 code units of its key, then its
   * amount is mixed in with the finalizer of SplitMix64; the charges' hashes are summed, so that their order
   * does not matter, and the sum is mixed with the family (0, 1 or 2) and the number of charges. Different
   * requests collide with a probability of about 2<sup>-64</sup>.
   *
   * @return the fingerprint
   */
  public long fingerprint() {
    long sum = 0;
    for (int i = 0; i < charges.size(); i++) {
      Charge charge = charges.get(i);
      String key = charge.slot().key();
      long h = 0xcbf29ce484222325L; // FNV-1a offset basis
      for (int k = 0; k < key.length(); k++) {
        h = (h ^ key.charAt(k)) * 0x100000001b3L; // FNV-1a prime
      }
      sum += mix(h ^ mix(charge.amount() + 0x9e3779b97f4a7c15L));
    }
    int family = mode == Mode.RESERVE ? 1 : mode == Mode.REFUND ? 2 : 0;
    return mix(sum + mix(((long) family << 32) | charges.size()));
  }

  /** The finalizer of SplitMix64: every bit of the result depends on every bit of {@code z}. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
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
