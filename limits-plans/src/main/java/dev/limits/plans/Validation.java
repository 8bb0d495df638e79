package dev.limits.plans;

import dev.limits.Decision;
import dev.limits.Denial;
import dev.limits.MessageCatalog;
import dev.limits.QuotaUsage;
import java.time.ZoneId;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The result of a dry run ({@link AiGate#validate}): every rule and quota that would deny the call, in the
 * plan's order, and the usage and remaining amount of every limit of the plan, for a
 * {@code validate_message} endpoint and a usage panel. Nothing is counted. Immutable and thread-safe.
 *
 * @see AiGate#validate(String, Plan, AiCall)
 */
public final class Validation {

  private final List<Denial> denials;
  private final List<QuotaUsage> usage;
  private final MessageCatalog messages;
  private final ZoneId zone;

  Validation(List<Denial> denials, List<QuotaUsage> usage, MessageCatalog messages, ZoneId zone) {
    this.denials = List.copyOf(denials);
    this.usage = List.copyOf(usage);
    this.messages = messages;
    this.zone = zone;
  }

  /** {@return whether the call would be allowed now} */
  public boolean isValid() {
    return denials.isEmpty();
  }

  /** {@return every denial, in the order {@link AiGate#before} would meet them} */
  public List<Denial> denials() {
    return denials;
  }

  /** {@return the denial {@link AiGate#before} would report, if any} */
  public Optional<Denial> first() {
    return denials.isEmpty() ? Optional.empty() : Optional.of(denials.get(0));
  }

  /** {@return the HTTP status {@link AiGate#before} would answer with: 200, or that of the first denial} */
  public int httpStatus() {
    return first().map(d -> d.outcome().httpStatus()).orElse(Decision.Outcome.ALLOWED.httpStatus());
  }

  /**
   * Returns the message of every denial in {@code locale}, in order.
   *
   * @param locale the language of the messages
   * @return the messages; empty if valid
   * @throws NullPointerException if {@code locale} is null
   */
  public List<String> messages(Locale locale) {
    Objects.requireNonNull(locale, "locale");
    return denials.stream().map(d -> messages.render(d, locale, zone)).collect(Collectors.toList());
  }

  /**
   * The one-line answer a chat client shows before sending: the first denial's message, or "all limits are
   * respected" (English or Persian).
   *
   * @param locale the language of the answer
   * @return the answer
   * @throws NullPointerException if {@code locale} is null
   */
  public String summary(Locale locale) {
    Objects.requireNonNull(locale, "locale");
    if (!isValid()) {
      return messages.render(denials.get(0), locale, zone);
    }
    return "fa".equals(locale.getLanguage()) ? "همه محدودیت\u200cها رعایت شده\u200cاند" : "All limits are respected.";
  }

  /**
   * {@return the usage of every limit of the plan: chat quotas, then user file quotas, then the chat's file
   * quota}
   */
  public List<QuotaUsage> usage() {
    return usage;
  }

  /**
   * Returns the usage of the quota with {@code quotaId} (such as {@code "messages-hour"}), if the plan limits
   * it.
   *
   * @param quotaId the quota's id
   * @return its usage; empty if the plan does not limit it
   * @throws NullPointerException if {@code quotaId} is null
   */
  public Optional<QuotaUsage> usage(String quotaId) {
    Objects.requireNonNull(quotaId, "quotaId");
    return usage.stream().filter(u -> u.quota().id().equals(quotaId)).findFirst();
  }

  @Override
  public String toString() {
    return "Validation[" + (isValid() ? "valid" : denials.stream().map(Denial::ruleId).collect(Collectors.toList()))
        + "]";
  }
}
