package dev.limits.plans;

import dev.limits.MessageCatalog;
import java.util.Locale;

/**
 * The limitation messages of an AI-chat backend, in English and Persian, on top of the core's shipped templates.
 *
 * <p>Most messages come from the core's templates and the metric names of {@link PlanMetrics}: "شما به حد
 * مجاز تولید تصویر روزانه (10 عدد) رسیده‌اید", "شما به حد مجاز پیام‌های ساعتی (20 عدد) رسیده‌اید", "...توکن‌های
 * روزانه...", and "دسترسی به این مدل دیگر برای اشتراک شما فعال نیست" for a model not in the plan. This class
 * adds those with no generic form: the free pool ({@code quota.free_tokens}), per-model budgets
 * ({@code quota.model_tokens}), uploads per chat ({@code quota.files-chat}), an organisation's shared pool
 * ({@code quota.org-tokens-day}, {@code quota.org-tokens-month}, {@code quota.org-cost-month}) and discount
 * codes. An admin
 * overrides any of them by key, per language, on the builder: {@code quota.<quota id>} for one quota (such as
 * {@code quota.messages-hour}), {@code quota.<metric>} for all quotas of a metric.
 *
 * <p>Catalogs are immutable and thread-safe.
 *
 * @see MessageCatalog
 * @see AiGate.Builder#messages(MessageCatalog)
 */
public final class PlanMessages {

  private static final Locale FA = Locale.forLanguageTag("fa");

  private static final MessageCatalog CHAT = chatBuilder().build();
  private static final MessageCatalog CODES = codeBuilder().build();

  private PlanMessages() {}

  /** {@return the messages of AI calls and uploads} */
  public static MessageCatalog chat() {
    return CHAT;
  }

  /** {@return a builder preloaded with the messages of AI calls and uploads, to override some} */
  public static MessageCatalog.Builder chatBuilder() {
    return MessageCatalog.builder()
        .template(Locale.ENGLISH, "quota.free_tokens",
            "You have used up your free tokens for free models ({limit} a month).")
        .template(FA, "quota.free_tokens", "توکن رایگان شما برای مدل رایگان تمام شده است")
        .template(Locale.ENGLISH, "quota.model_tokens",
            "Your remaining token budget for this model is not enough ({remaining} left).")
        .template(FA, "quota.model_tokens", "بودجه باقیمانده\u200cی توکن شما برای این مدل کافی نیست ({remaining} عدد)")
        .template(Locale.ENGLISH, "quota.files-chat", "You have reached the file upload limit of this chat ({limit}).")
        .template(FA, "quota.files-chat", "شما به حد مجاز آپلود فایل در این گفتگو ({limit} عدد) رسیده\u200cاید")
        .template(Locale.ENGLISH, "quota.org-tokens-day",
            "Your organisation has used up its shared tokens for today ({limit}).")
        .template(FA, "quota.org-tokens-day", "توکن\u200cهای مشترک امروز سازمان شما ({limit} عدد) تمام شده است")
        .template(Locale.ENGLISH, "quota.org-tokens-month",
            "Your organisation has used up its shared tokens for this month ({limit}).")
        .template(FA, "quota.org-tokens-month",
            "توکن\u200cهای مشترک این ماه سازمان شما ({limit} عدد) تمام شده است")
        .template(Locale.ENGLISH, "quota.org-cost-month",
            "Your organisation has used up its budget for this month ({limit}).")
        .template(FA, "quota.org-cost-month", "بودجه\u200cی این ماه سازمان شما ({limit}) تمام شده است");
  }

  /** {@return the messages of discount code redemptions} */
  public static MessageCatalog codes() {
    return CODES;
  }

  /** {@return a builder preloaded with the messages of discount code redemptions, to override some} */
  public static MessageCatalog.Builder codeBuilder() {
    return MessageCatalog.builder()
        .template(Locale.ENGLISH, "forbidden.subscription", "This discount code has expired.")
        .template(FA, "forbidden.subscription", "این کد تخفیف منقضی شده است")
        .template(Locale.ENGLISH, "quota.code-uses", "This discount code has been used up.")
        .template(FA, "quota.code-uses", "ظرفیت استفاده از این کد تخفیف تمام شده است")
        .template(Locale.ENGLISH, "quota.code-uses-per-user",
            "You have already used this discount code ({limit} times).")
        .template(FA, "quota.code-uses-per-user",
            "شما به حد مجاز استفاده از این کد تخفیف ({limit} بار) رسیده\u200cاید");
  }
}
