package dev.limits;

import dev.limits.internal.Checks;
import dev.limits.spi.ConsumeRequest;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * One request to be checked: who, which model, how much of each metric, the file it carries, if any, and the
 * budgets of other subjects it also charges (an organisation's token pool, see {@link #alsoCharge}).
 *
 * <p>Only the metrics named in the request are checked: a text message does not consult the image quotas.
 * A metric named with an amount of zero is checked for "anything left?": a cost budget already spent denies
 * a call whose cost is known only afterwards.
 *
 * <p>Every string a request carries is checked when it is set, before any counter sees it: a subject, model,
 * idempotency key or file extension that is blank, too long, padded with whitespace, or holds a control
 * character (NUL included) or an unpaired surrogate is an {@link IllegalArgumentException} naming it, never a
 * storage failure (which a fail-open limiter would answer by allowing). Immutable and thread-safe.
 *
 * <pre>{@code
 * LimitRequest.of("user-42").model("gpt-4o").amount(MESSAGES, 1).amount(TOKENS, 1200)
 * }</pre>
 *
 * @see Limiter
 */
public final class LimitRequest {

  /** The longest model id a request may name. */
  public static final int MAX_MODEL_LENGTH = 200;

  /** The longest idempotency key a request may carry. */
  public static final int MAX_IDEMPOTENCY_KEY_LENGTH = 100;

  /** The longest file extension a request may carry. */
  public static final int MAX_EXTENSION_LENGTH = 64;

  /** The most budgets a request may charge besides its own subject's ({@link #alsoCharge}). */
  public static final int MAX_BUDGETS = ConsumeRequest.MAX_SUBJECTS - 1;

  private final String subject;
  private final @Nullable String model;
  private final Amounts amounts;
  private final long fileSize;
  private final @Nullable String fileExtension;
  private final @Nullable ZoneId zone;
  private final @Nullable String idempotencyKey;
  private final List<Budget> budgets;

  /**
   * A budget a request charges besides its own subject's: an organisation's token pool, a team's monthly
   * cost, an API key's rate.
   *
   * @param subject whose budget: the organisation, team or key
   * @param policy  the quotas and rules of that budget
   * @see LimitRequest#alsoCharge
   */
  public record Budget(String subject, LimitPolicy policy) {

    /**
     * Creates a budget.
     *
     * @param subject whose budget
     * @param policy  its quotas and rules
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if {@code subject} is malformed (see {@link ConsumeRequest#requireSubject})
     */
    public Budget {
      ConsumeRequest.requireSubject(subject);
      Objects.requireNonNull(policy, "policy");
    }
  }

  private LimitRequest(String subject, @Nullable String model, Amounts amounts, long fileSize,
      @Nullable String fileExtension, @Nullable ZoneId zone, @Nullable String idempotencyKey) {
    this(subject, model, amounts, fileSize, fileExtension, zone, idempotencyKey, List.of());
  }

  private LimitRequest(String subject, @Nullable String model, Amounts amounts, long fileSize,
      @Nullable String fileExtension, @Nullable ZoneId zone, @Nullable String idempotencyKey,
      List<Budget> budgets) {
    this.subject = subject;
    this.model = model;
    this.amounts = amounts;
    this.fileSize = fileSize;
    this.fileExtension = fileExtension;
    this.zone = zone;
    this.idempotencyKey = idempotencyKey;
    this.budgets = budgets;
  }

  /**
   * A request by {@code subject} (a user id, or any key such as {@code "user-42/chat-7"}).
   *
   * @param subject who is counted
   * @return a request with no model, amounts or file
   * @throws NullPointerException     if {@code subject} is null
   * @throws IllegalArgumentException if it is empty, blank, longer than
   *                                  {@value ConsumeRequest#MAX_SUBJECT_LENGTH} characters, starts or ends
   *                                  with whitespace, or contains a control character or an unpaired
   *                                  surrogate (see {@link ConsumeRequest#requireSubject})
   */
  public static LimitRequest of(String subject) {
    return new LimitRequest(ConsumeRequest.requireSubject(subject), null, Amounts.none(), -1, null, null, null);
  }

  /**
   * Returns this request for {@code model}.
   *
   * @param model the model id
   * @return a new request; this one is unchanged
   * @throws NullPointerException     if {@code model} is null
   * @throws IllegalArgumentException if it is empty, blank, longer than {@value #MAX_MODEL_LENGTH}
   *                                  characters, starts or ends with whitespace, or contains a control
   *                                  character or an unpaired surrogate
   */
  public LimitRequest model(String model) {
    Checks.requireIdentifier(Objects.requireNonNull(model, "model"), "model", MAX_MODEL_LENGTH);
    return new LimitRequest(subject, model, amounts, fileSize, fileExtension, zone, idempotencyKey, budgets);
  }

  /**
   * Returns this request with {@code amount} of {@code metric}.
   *
   * @param metric what is counted
   * @param amount the amount, or for {@link Limiter#acquire} the estimate; zero or more
   * @return a new request; this one is unchanged
   * @throws NullPointerException     if {@code metric} is null
   * @throws IllegalArgumentException if {@code amount} is negative, or this request already has an amount of
   *                                  {@code metric} (of a metric of its name)
   */
  public LimitRequest amount(Metric metric, long amount) {
    return new LimitRequest(subject, model, amounts.and(metric, amount), fileSize, fileExtension, zone,
        idempotencyKey, budgets);
  }

  /**
   * Returns this request carrying a file of {@code sizeBytes} with {@code extension} ({@code "pdf"} or
   * {@code ".pdf"}, empty for a file name without one).
   *
   * @param sizeBytes the file's size in bytes
   * @param extension the file's extension, or empty
   * @return a new request; this one is unchanged
   * @throws NullPointerException     if {@code extension} is null
   * @throws IllegalArgumentException if {@code sizeBytes} is negative, or the extension is blank, longer
   *                                  than {@value #MAX_EXTENSION_LENGTH} characters, starts or ends with
   *                                  whitespace, or contains a control character or an unpaired surrogate
   */
  public LimitRequest file(long sizeBytes, String extension) {
    Objects.requireNonNull(extension, "extension");
    if (!extension.isEmpty()) {
      Checks.requireIdentifier(extension, "file extension", MAX_EXTENSION_LENGTH);
    }
    Checks.requireArgument(sizeBytes >= 0, "file size must not be negative, got %s", sizeBytes);
    return new LimitRequest(subject, model, amounts, sizeBytes, extension, zone, idempotencyKey, budgets);
  }

  /**
   * Returns this request with calendar windows in {@code zone} instead of the policy's (the user's own zone).
   *
   * @param zone the zone of calendar windows for this request
   * @return a new request; this one is unchanged
   * @throws NullPointerException if {@code zone} is null
   */
  public LimitRequest zone(ZoneId zone) {
    return new LimitRequest(subject, model, amounts, fileSize, fileExtension, Objects.requireNonNull(zone, "zone"),
        idempotencyKey, budgets);
  }

  /**
   * Returns this request with an idempotency key: a retried acquire, consume or commit with the same key
   * counts once.
   *
   * @param key the key, unique per logical call
   * @return a new request; this one is unchanged
   * @throws NullPointerException     if {@code key} is null
   * @throws IllegalArgumentException if it is empty, blank, longer than {@value #MAX_IDEMPOTENCY_KEY_LENGTH}
   *                                  characters, starts or ends with whitespace, or contains a control
   *                                  character (NUL included) or an unpaired surrogate
   */
  public LimitRequest idempotencyKey(String key) {
    Checks.requireIdentifier(Objects.requireNonNull(key, "key"), "idempotency key", MAX_IDEMPOTENCY_KEY_LENGTH);
    return new LimitRequest(subject, model, amounts, fileSize, fileExtension, zone, key, budgets);
  }

  /**
   * Returns this request charging {@code policy}'s quotas for {@code subject} as well: a nested budget such as
   * an organisation's shared token pool, a team's monthly cost or an API key's rate. The limiter then checks
   * and counts every subject's quotas in one all-or-nothing operation, the strictest deciding: if any quota
   * of any subject has no room, or any access rule of any policy denies, nothing is counted anywhere, and the
   * denial names the subject and quota that denied ({@link Denial#subject()}).
   *
   * <p>The request's amounts and model apply to every budget: each charges its quotas whose metric the
   * request names and whose models include the request's. A budget's policy need not know every metric of
   * the request (an organisation's pool may count only tokens); the limiter's own policy must. Calendar
   * windows are in the request's zone if it has one, otherwise in each policy's own. The idempotency key,
   * and a reservation, belong to the request's own subject.
   *
   * <pre>{@code
   * LimitRequest.of("user-42").amount(TOKENS, 1200)
   *     .alsoCharge("org-7", organisationPool)
   *     .alsoCharge("key-3", apiKeyRate)
   * }</pre>
   *
   * @param subject whose budget: the organisation, team or key
   * @param policy  its quotas and rules
   * @return a new request; this one is unchanged
   * @throws NullPointerException     if an argument is null
   * @throws IllegalArgumentException if {@code subject} is malformed (see {@link ConsumeRequest#requireSubject}),
   *                                  is already charged by this request, or the request already charges
   *                                  {@value #MAX_BUDGETS} budgets
   */
  public LimitRequest alsoCharge(String subject, LimitPolicy policy) {
    Budget budget = new Budget(subject, policy);
    Checks.requireArgument(!subject.equals(this.subject), "subject '%s' is already charged by this request",
        Checks.readable(subject));
    for (Budget b : budgets) {
      Checks.requireArgument(!subject.equals(b.subject()), "subject '%s' is already charged by this request",
          Checks.readable(subject));
    }
    Checks.requireArgument(budgets.size() < MAX_BUDGETS, "a request charges at most %s budgets besides its"
        + " own subject, got one more: '%s'", MAX_BUDGETS, Checks.readable(subject));
    List<Budget> more = new ArrayList<>(budgets.size() + 1);
    more.addAll(budgets);
    more.add(budget);
    return new LimitRequest(this.subject, model, amounts, fileSize, fileExtension, zone, idempotencyKey,
        List.copyOf(more));
  }

  /** {@return the budgets this request charges besides its own subject's, in the order they were added} */
  public List<Budget> budgets() {
    return budgets;
  }

  /** {@return who is counted} */
  public String subject() {
    return subject;
  }

  /** {@return the model requested, or null} */
  public @Nullable String model() {
    return model;
  }

  /** {@return the amounts estimated per metric} */
  public Amounts amounts() {
    return amounts;
  }

  /** {@return the size of the file carried, if any} */
  public OptionalLong fileSize() {
    return fileSize < 0 ? OptionalLong.empty() : OptionalLong.of(fileSize);
  }

  /** {@return the extension of the file carried, or null} */
  public @Nullable String fileExtension() {
    return fileExtension;
  }

  /** {@return the zone overriding the policy's, or null} */
  public @Nullable ZoneId zone() {
    return zone;
  }

  /** {@return the idempotency key, or null} */
  public @Nullable String idempotencyKey() {
    return idempotencyKey;
  }

  @Override
  public String toString() {
    return "LimitRequest[" + subject + (model == null ? "" : ", model=" + model) + ", " + amounts
        + (fileExtension == null ? "" : ", file=" + fileSize + " bytes ." + fileExtension)
        + (budgets.isEmpty() ? "" : ", also " + budgets.stream().map(Budget::subject).toList()) + "]";
  }
}
