package dev.limits.testkit;

import dev.limits.Decision;
import dev.limits.Denial;
import dev.limits.QuotaUsage;
import dev.limits.Warning;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import org.assertj.core.api.AbstractAssert;

/**
 * AssertJ assertions for a {@link Decision}: {@code assertThat(decision).isDeniedBy("messages@hour")}.
 * Obtain one with {@link LimitsAssertions#assertThat(Decision)}. Not thread-safe (like every AssertJ assert).
 */
public final class DecisionAssert extends AbstractAssert<DecisionAssert, Decision> {

  DecisionAssert(Decision actual) {
    super(actual, DecisionAssert.class);
  }

  /**
   * Verifies the request was allowed.
   *
   * @return this assertion, for chaining
   */
  public DecisionAssert isAllowed() {
    isNotNull();
    if (!actual.isAllowed()) {
      failWithMessage("Expected the request to be allowed but it was %s by %s", actual.outcome(), describeDenials());
    }
    return this;
  }

  /**
   * Verifies the request was denied, for whatever reason.
   *
   * @return this assertion, for chaining
   */
  public DecisionAssert isDenied() {
    isNotNull();
    if (actual.isAllowed()) {
      failWithMessage("Expected the request to be denied but it was allowed");
    }
    return this;
  }

  /**
   * Verifies the decision is {@code outcome}.
   *
   * @param outcome the expected outcome
   * @return this assertion, for chaining
   */
  public DecisionAssert hasOutcome(Decision.Outcome outcome) {
    isNotNull();
    Objects.requireNonNull(outcome, "outcome");
    if (actual.outcome() != outcome) {
      failWithMessage("Expected outcome %s but was %s (%s)", outcome, actual.outcome(), describeDenials());
    }
    return this;
  }

  /**
   * Verifies the request was forbidden (403).
   *
   * @return this assertion, for chaining
   */
  public DecisionAssert isForbidden() {
    return hasOutcome(Decision.Outcome.FORBIDDEN);
  }

  /**
   * Verifies a quota was exceeded (429).
   *
   * @return this assertion, for chaining
   */
  public DecisionAssert isQuotaExceeded() {
    return hasOutcome(Decision.Outcome.QUOTA_EXCEEDED);
  }

  /**
   * Verifies the counter could not be reached and the limiter failed closed (503).
   *
   * @return this assertion, for chaining
   */
  public DecisionAssert isUnavailable() {
    return hasOutcome(Decision.Outcome.UNAVAILABLE);
  }

  /**
   * Verifies the first denial is by the quota or rule with {@code ruleId} (such as {@code "tokens@day"}).
   *
   * @param ruleId the id of the quota or access rule expected to deny first
   * @return this assertion, for chaining
   */
  public DecisionAssert isDeniedBy(String ruleId) {
    isDenied();
    Denial first = actual.denial().orElseThrow();
    if (!first.ruleId().equals(ruleId)) {
      failWithMessage("Expected the request to be denied by <%s> but it was denied by %s", ruleId, describeDenials());
    }
    return this;
  }

  /**
   * Verifies the first denial gives {@code reason}.
   *
   * @param reason the reason expected of the first denial
   * @return this assertion, for chaining
   */
  public DecisionAssert isDeniedBy(Denial.Reason reason) {
    isDenied();
    Denial first = actual.denial().orElseThrow();
    if (first.reason() != reason) {
      failWithMessage("Expected the request to be denied for <%s> but it was denied for <%s> by %s", reason,
          first.reason(), describeDenials());
    }
    return this;
  }

  /**
   * Verifies some denial, not necessarily the first, is by {@code ruleId}.
   *
   * @param ruleId the id of the quota or access rule expected among the denials
   * @return this assertion, for chaining
   */
  public DecisionAssert hasDenialBy(String ruleId) {
    isDenied();
    if (actual.denials().stream().noneMatch(d -> d.ruleId().equals(ruleId))) {
      failWithMessage("Expected a denial by <%s> among %s", ruleId, describeDenials());
    }
    return this;
  }

  /**
   * Verifies the message of the first denial in {@code locale} contains {@code text}.
   *
   * @param locale the language of the message
   * @param text the text expected in it
   * @return this assertion, for chaining
   */
  public DecisionAssert hasMessageContaining(Locale locale, String text) {
    isDenied();
    String message = actual.message(locale).orElse("");
    if (!message.contains(text)) {
      failWithMessage("Expected the %s message to contain <%s> but it was <%s>", locale, text, message);
    }
    return this;
  }

  /**
   * Verifies the decision asks to retry after exactly {@code wait}.
   *
   * @param wait the expected wait
   * @return this assertion, for chaining
   */
  public DecisionAssert hasRetryAfter(Duration wait) {
    isNotNull();
    Optional<Duration> retry = actual.retryAfter();
    if (!retry.equals(Optional.of(wait))) {
      failWithMessage("Expected retry after <%s> but was <%s>", wait, retry.map(Duration::toString).orElse("none"));
    }
    return this;
  }

  /**
   * Verifies the quota {@code quotaId} stands at {@code used} in this decision.
   *
   * @param quotaId the quota's id, such as {@code "messages@hour"}
   * @param used its expected usage
   * @return this assertion, for chaining
   */
  public DecisionAssert hasUsed(String quotaId, long used) {
    isNotNull();
    Optional<QuotaUsage> usage = actual.usage().stream().filter(u -> u.quota().id().equals(quotaId)).findFirst();
    if (usage.isEmpty()) {
      failWithMessage("Expected usage of <%s> but the decision reports only %s", quotaId,
          actual.usage().stream().map(u -> u.quota().id()).collect(Collectors.toList()));
    } else if (usage.get().used() != used) {
      failWithMessage("Expected <%s> to stand at <%s> but it stands at <%s>", quotaId, used, usage.get().used());
    }
    return this;
  }

  /**
   * Verifies the decision warns about the quota {@code quotaId}.
   *
   * @param quotaId the quota's id, such as {@code "messages@hour"}
   * @return this assertion, for chaining
   */
  public DecisionAssert hasWarningFor(String quotaId) {
    isNotNull();
    if (actual.warnings().stream().map(Warning::usage).noneMatch(u -> u.quota().id().equals(quotaId))) {
      failWithMessage("Expected a warning for <%s> but the warnings are %s", quotaId,
          actual.warnings().stream().map(w -> w.usage().quota().id()).collect(Collectors.toList()));
    }
    return this;
  }

  /**
   * Verifies the decision carries no warning.
   *
   * @return this assertion, for chaining
   */
  public DecisionAssert hasNoWarnings() {
    isNotNull();
    if (!actual.warnings().isEmpty()) {
      failWithMessage("Expected no warnings but got %s",
          actual.warnings().stream().map(w -> w.usage().quota().id()).collect(Collectors.toList()));
    }
    return this;
  }

  private String describeDenials() {
    return actual.denials().stream()
        .map(d -> d.ruleId() + " (" + d.reason() + ", used " + d.used() + " of " + d.limit() + ")")
        .collect(Collectors.joining(", ", "[", "]"));
  }
}
