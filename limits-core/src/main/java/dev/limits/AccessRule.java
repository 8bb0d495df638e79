package dev.limits;

import dev.limits.internal.Checks;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A yes-or-no rule of a policy: a validity interval, the models allowed, the largest file, the file
 * extensions allowed. A broken rule denies with {@link Decision.Outcome#FORBIDDEN} (HTTP 403), before any
 * quota is looked at. A rule applies only to requests that carry what it judges: the model rule to
 * requests naming a model, the file rules to requests carrying a file.
 *
 * <p>All implementations are immutable and thread-safe.
 *
 * @see LimitPolicy
 */
public sealed interface AccessRule
    permits AccessRule.Validity, AccessRule.AllowedModels, AccessRule.MaxFileSize, AccessRule.AllowedExtensions {

  /**
   * {@return the rule's id in decisions and message keys: {@code subscription}, {@code model},
   * {@code file-size}...}
   */
  String id();

  /** {@return the reason a denial by this rule gives} */
  Denial.Reason reason();

  /**
   * The subscription is valid from {@code from} (inclusive) until {@code until} (exclusive).
   *
   * @param from  the first valid instant
   * @param until the first instant no longer valid
   */
  record Validity(Instant from, Instant until) implements AccessRule {
    /**
     * Creates a validity rule.
     *
     * @param from  the first valid instant
     * @param until the first instant no longer valid
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if {@code until} is not after {@code from}
     */
    public Validity {
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(until, "until");
      Checks.requireArgument(until.isAfter(from), "validity must end after it starts, got %s to %s", from, until);
    }

    /**
     * Whether the subscription is valid at {@code instant}.
     *
     * @param instant the instant to test
     * @return whether {@code from <= instant < until}
     */
    public boolean isValidAt(Instant instant) {
      return !instant.isBefore(from) && instant.isBefore(until);
    }

    @Override
    public String id() {
      return "subscription";
    }

    @Override
    public Denial.Reason reason() {
      return Denial.Reason.SUBSCRIPTION_INACTIVE;
    }
  }

  /**
   * Only these models may be used.
   *
   * @param models the allowed model ids
   */
  record AllowedModels(Set<String> models) implements AccessRule {
    /**
     * Creates a model rule.
     *
     * @param models the allowed model ids
     * @throws NullPointerException if {@code models} or one of them is null
     */
    public AllowedModels {
      models = Set.copyOf(Objects.requireNonNull(models, "models"));
    }

    @Override
    public String id() {
      return "model";
    }

    @Override
    public Denial.Reason reason() {
      return Denial.Reason.MODEL_NOT_ALLOWED;
    }
  }

  /**
   * Files may be at most {@code maxBytes} long.
   *
   * @param maxBytes the largest size allowed, zero or more
   */
  record MaxFileSize(long maxBytes) implements AccessRule {
    /**
     * Creates a file size rule.
     *
     * @param maxBytes the largest size allowed, zero or more
     * @throws IllegalArgumentException if {@code maxBytes} is negative
     */
    public MaxFileSize {
      Checks.requireArgument(maxBytes >= 0, "maximum file size must not be negative, got %s", maxBytes);
    }

    @Override
    public String id() {
      return "file-size";
    }

    @Override
    public Denial.Reason reason() {
      return Denial.Reason.FILE_TOO_LARGE;
    }
  }

  /**
   * Only files with these extensions may be uploaded; compared without a leading dot, ignoring case.
   *
   * @param extensions the allowed extensions, normalized to lower case without a dot
   */
  record AllowedExtensions(Set<String> extensions) implements AccessRule {
    /**
     * Creates an extension rule.
     *
     * @param extensions the allowed extensions, normalized to lower case without a dot
     * @throws NullPointerException if {@code extensions} or one of them is null
     */
    public AllowedExtensions {
      extensions = Objects.requireNonNull(extensions, "extensions").stream()
          .map(AllowedExtensions::normalize).collect(Collectors.toUnmodifiableSet());
    }

    /**
     * Whether a file with {@code extension} may be uploaded.
     *
     * @param extension the extension, with or without a leading dot, in any case
     * @return whether it is among the allowed extensions
     */
    public boolean allows(String extension) {
      return extensions.contains(normalize(extension));
    }

    static String normalize(String extension) {
      Objects.requireNonNull(extension, "extension");
      String e = extension.startsWith(".") ? extension.substring(1) : extension;
      return e.toLowerCase(Locale.ROOT);
    }

    @Override
    public String id() {
      return "file-extension";
    }

    @Override
    public Denial.Reason reason() {
      return Denial.Reason.EXTENSION_NOT_ALLOWED;
    }
  }
}
