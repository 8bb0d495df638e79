package dev.limits.spi;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One atomic operation on the counters of one or several subjects, as {@link UsageCounter#consume} carries
 * it out.
 *
 * <p>A request usually counts for one subject, a user. It may charge several at once, such as a user's plan,
 * their team's monthly cost budget and their organisation's shared token pool: each {@link Charge} names its
 * subject by its index in {@link #subjects()}, and the request is all or nothing across all of them, the
 * strictest quota deciding. The first subject owns the request: the operation id, its idempotency and a
 * reservation are scoped to it, and {@link SettleRequest} names it.
 *
 * <p>For a store implementer: a cell is identified by a subject and a slot's key, so two subjects' cells of
 * one key are apart. To lock the cells of several subjects, take them in one global order, by subject and
 * then by key, each compared with {@link String#compareTo}: two requests that share an organisation then
 * never wait for each other in a cycle. Results stay per charge ({@link ConsumeResult#used(int)},
 * {@link ConsumeResult#fits(int)}), so that a caller tells which subject's quota denied. A reservation
 * remembers each charge's subject: settling it, or refunding it once expired, adjusts every subject's cells.
 *
 * <p>The subjects and the operation id pass {@link #requireSubject} and {@link #requireOperationId}, so a
 * store receives only values it can keep apart and never has to refuse one.
 *
 * @param subjects    who is counted: 1 to {@value #MAX_SUBJECTS} distinct ids, each 1 to
 *                    {@value #MAX_SUBJECT_LENGTH} characters; the first owns the request
 * @param charges     the cells and amounts, in evaluation order; not empty, each (subject, key) at most once
 * @param mode        what to do with them
 * @param operationId an idempotency key, scoped to the first subject: a second request with the same id
 *                    changes nothing and answers {@link ConsumeResult.Status#DUPLICATE}, or
 *                    {@link ConsumeResult.Status#MISMATCH} if its {@link #fingerprint()} differs; required for
 *                    {@link Mode#RESERVE}; may be null otherwise. A {@link Mode#CHECK} and a denied request
 *                    never use up their id
 * @param expiresAt   epoch milliseconds: when a reservation is refunded unless settled, or until when an
 *                    operation id is remembered; ignored without an operation id
 * @param now         the caller's current time, epoch milliseconds
 * @see UsageCounter
 */
public record ConsumeRequest(
    List<String> subjects, List<Charge> charges, Mode mode, @Nullable String operationId, long expiresAt,
    long now) {

  /** The most subjects one request may charge. */
  public static final int MAX_SUBJECTS = 8;

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
      if (code < 0 || code >= BY_CODE.length) {
        throw new IllegalArgumentException("no mode has code " + code);
      }
      return BY_CODE[code];
    }
  }

  /**
   * Creates a request that charges several subjects at once.
   *
   * @param subjects    who is counted: 1 to {@value #MAX_SUBJECTS} distinct ids, each 1 to
   *                    {@value #MAX_SUBJECT_LENGTH} characters; the first owns the request (its operation id,
   *                    idempotency and reservation)
   * @param charges     the cells and amounts, in evaluation order; not empty, each charge's subject index
   *                    below the number of subjects
   * @param mode        what to do with them
   * @param operationId an idempotency key, scoped to the first subject: a second request with the same id
   *                    changes nothing and answers {@link ConsumeResult.Status#DUPLICATE}, or
   *                    {@link ConsumeResult.Status#MISMATCH} if its {@link #fingerprint()} differs; required for
   *                    {@link Mode#RESERVE}; may be null otherwise
   * @param expiresAt   epoch milliseconds: when a reservation is refunded unless settled, or until when an
   *                    operation id is remembered; ignored without an operation id
   * @param now         the caller's current time, epoch milliseconds
   * @throws NullPointerException     if {@code subjects}, a subject, {@code charges}, a charge or {@code mode}
   *                                  is null, or a reservation has no operation id
   * @throws IllegalArgumentException if there are no subjects or more than {@value #MAX_SUBJECTS}, a subject
   *                                  is malformed (see {@link #requireSubject}) or listed twice, the operation
   *                                  id is malformed, there are no charges, a charge's subject index is not
   *                                  below the number of subjects, or two charges have one subject and key
   */
  public ConsumeRequest {
    subjects = List.copyOf(Objects.requireNonNull(subjects, "subjects"));
    if (subjects.isEmpty() || subjects.size() > MAX_SUBJECTS) {
      throw new IllegalArgumentException(
          "a consume request charges 1 to " + MAX_SUBJECTS + " subjects, got " + subjects.size());
    }
    for (int i = 0; i < subjects.size(); i++) {
      String subject = requireSubject(subjects.get(i));
      for (int j = 0; j < i; j++) {
        if (subjects.get(j).equals(subject)) {
          throw new IllegalArgumentException(
              "a consume request lists each subject once, got '" + Identifiers.readable(subject) + "' twice");
        }
      }
    }
    Objects.requireNonNull(mode, "mode");
    charges = List.copyOf(Objects.requireNonNull(charges, "charges"));
    if (charges.isEmpty()) {
      throw new IllegalArgumentException("a consume request needs at least one charge");
    }
    for (int i = 0; i < charges.size(); i++) {
      Charge charge = charges.get(i);
      int subject = charge.subject();
      if (subject >= subjects.size()) {
        throw new IllegalArgumentException("charge " + i + " names subject index " + subject
            + ", but the request has " + subjects.size() + " subject" + (subjects.size() == 1 ? "" : "s"));
      }
      String key = charge.slot().key();
      for (int j = 0; j < i; j++) {
        Charge other = charges.get(j);
        if (other.subject() == subject && other.slot().key().equals(key)) {
          throw new IllegalArgumentException(subjects.size() == 1
              ? "a consume request charges each key once, got '" + key + "' twice"
              : "a consume request charges each key of a subject once, got '" + key + "' twice for subject '"
                  + Identifiers.readable(subjects.get(subject)) + "'");
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
   * Creates a request that counts for one subject.
   *
   * @param subject     who is counted, 1 to {@value #MAX_SUBJECT_LENGTH} characters
   * @param charges     the cells and amounts, in evaluation order; not empty, each of subject index 0
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
   *                                  {@link #requireSubject}), there are no charges, a charge names another
   *                                  subject than index 0, or two charges have one key
   */
  public ConsumeRequest(String subject, List<Charge> charges, Mode mode, @Nullable String operationId,
      long expiresAt, long now) {
    this(List.of(requireSubject(subject)), charges, mode, operationId, expiresAt, now);
  }

  /**
   * Returns the first subject, who owns the request: its operation id, idempotency and reservation are
   * scoped to it.
   *
   * @return the first of {@link #subjects()}
   */
  public String subject() {
    return subjects.get(0);
  }

  /**
   * Returns the subject that charge {@code chargeIndex} counts for.
   *
   * @param chargeIndex the charge's position in {@link #charges()}
   * @return its subject's id
   * @throws IndexOutOfBoundsException if there is no such charge
   */
  public String subjectOf(int chargeIndex) {
    return subjects.get(charges.get(chargeIndex).subject());
  }

  /**
   * Returns a 64-bit fingerprint of what this request does, which a store remembers with its operation id
   * so that a second request with that id is told apart: the same fingerprint is a retry
   * ({@link ConsumeResult.Status#DUPLICATE}), another one a different request that reuses the id
   * ({@link ConsumeResult.Status#MISMATCH}).
   *
   * <p>It covers the mode's family (counting: {@link Mode#CHECK}, {@link Mode#ENFORCE} and
   * {@link Mode#FORCE}; {@link Mode#RESERVE}; {@link Mode#REFUND}) and each charge's key and amount, in any
   * order, and for a charge of a later subject (index 1 and on) that subject's id, so that an id reused with
   * another organisation is told apart. It leaves out the first subject and the id (they find the stored
   * operation), the subjects' order, the limits (a plan upgraded
   * between two attempts), the periods (a retry after a period boundary is still a retry), the expiry and the
   * clock. Equal requests in that sense have equal fingerprints in every JVM and every version, since stores
   * keep them: each charge is hashed as FNV-1a (64-bit) over the UTF-16 code units of its key, followed for a
   * charge of a later subject by a code unit 0 (which no key contains) and the code units of its subject's id,
   * then its amount is mixed in with the finalizer of SplitMix64; the charges' hashes are summed, so that their order
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
      long h = fnv1a(0xcbf29ce484222325L, key); // FNV-1a offset basis
      if (charge.subject() > 0) {
        // A one-subject request hashes as it always did, so that the fingerprints stores keep stay valid.
        h = fnv1a(h * 0x100000001b3L, subjects.get(charge.subject())); // code unit 0: h ^ 0 == h
      }
      sum += mix(h ^ mix(charge.amount() + 0x9e3779b97f4a7c15L));
    }
    int family = mode == Mode.RESERVE ? 1 : mode == Mode.REFUND ? 2 : 0;
    return mix(sum + mix(((long) family << 32) | charges.size()));
  }

  /** Continues FNV-1a (64-bit) hash {@code h} over the UTF-16 code units of {@code s}. */
  private static long fnv1a(long h, String s) {
    for (int k = 0; k < s.length(); k++) {
      h = (h ^ s.charAt(k)) * 0x100000001b3L; // FNV-1a prime
    }
    return h;
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
    return Identifiers.require(Objects.requireNonNull(subject, "subject"), "subject", MAX_SUBJECT_LENGTH);
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
    return Identifiers.require(Objects.requireNonNull(operationId, "operationId"), "operation id",
        MAX_OPERATION_ID_LENGTH);
  }
}
