package dev.limits.plans;

import dev.limits.plans.internal.Require;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Whether a user may move to another plan, and if not, why. Immutable and thread-safe.
 *
 * @param eligible whether the upgrade may go ahead
 * @param reason   why not, as a key such as {@link #NO_ACTIVE_SUBSCRIPTION}; empty if eligible
 * @see UpgradeRule
 */
public record UpgradeCheck(boolean eligible, String reason) {

  /** The user has no subscription active now. */
  public static final String NO_ACTIVE_SUBSCRIPTION = "no-active-subscription";
  /** The target plan is not offered (its {@code is_active} setting is false). */
  public static final String TARGET_NOT_OFFERED = "target-not-offered";
  /** The target plan is the current one. */
  public static final String SAME_PLAN = "same-plan";
  /** The rule could not be evaluated. */
  public static final String UNAVAILABLE = "unavailable";

  private static final UpgradeCheck ELIGIBLE = new UpgradeCheck(true, "");

  private static final Map<String, String> EN = Map.of(
      NO_ACTIVE_SUBSCRIPTION, "You need an active subscription to upgrade.",
      TARGET_NOT_OFFERED, "This plan is not available right now.",
      SAME_PLAN, "You already have this plan.",
      UNAVAILABLE, "Upgrades cannot be checked right now. Please try again shortly.");
  private static final Map<String, String> FA = Map.of(
      NO_ACTIVE_SUBSCRIPTION, "برای ارتقا باید اشتراک فعال داشته باشید",
      TARGET_NOT_OFFERED, "این اشتراک در حال حاضر فعال نیست",
      SAME_PLAN, "شما هم\u200cاکنون همین اشتراک را دارید",
      UNAVAILABLE, "بررسی ارتقا در حال حاضر ممکن نیست؛ لطفاً کمی بعد دوباره تلاش کنید");

  /**
   * Creates a result.
   *
   * @param eligible whether the upgrade may go ahead
   * @param reason   why not, as a key such as {@link #NO_ACTIVE_SUBSCRIPTION}; empty if eligible
   * @throws NullPointerException     if {@code reason} is null
   * @throws IllegalArgumentException if an ineligible result has an empty reason, or an eligible one has one
   */
  public UpgradeCheck {
    Objects.requireNonNull(reason, "reason");
    Require.argument(eligible == reason.isEmpty(), "an ineligible result needs a reason, an eligible one none");
  }

  /** {@return a result saying the upgrade may go ahead} */
  public static UpgradeCheck ok() {
    return ELIGIBLE;
  }

  /**
   * Returns a result refusing the upgrade for {@code reason}.
   *
   * @param reason why, as a key such as {@link #NO_ACTIVE_SUBSCRIPTION}
   * @return the refusal
   * @throws NullPointerException     if {@code reason} is null
   * @throws IllegalArgumentException if it is empty
   */
  public static UpgradeCheck refused(String reason) {
    return new UpgradeCheck(false, reason);
  }

  /** {@return the HTTP status: 200 if eligible, else 403} */
  public int httpStatus() {
    return eligible ? 200 : 403;
  }

  /**
   * The refusal in {@code locale} (English or Persian) for the shipped reasons, the reason key otherwise; empty
   * if eligible.
   *
   * @param locale the language of the message
   * @return the message; empty if eligible
   * @throws NullPointerException if {@code locale} is null
   */
  public String message(Locale locale) {
    Objects.requireNonNull(locale, "locale");
    if (eligible) {
      return "";
    }
    Map<String, String> m = "fa".equals(locale.getLanguage()) ? FA : EN;
    return m.getOrDefault(reason, reason);
  }
}
