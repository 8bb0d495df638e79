package dev.limits;

import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Localized denial messages, from templates the host can override (admin-configured messages).
 *
 * <p>English and Persian ship. A template is chosen by the most specific key present, for the request's
 * locale (its full tag, then its language, then English):
 * <ol>
 *   <li>a quota denial: {@code quota.<quota id>}, {@code quota.<metric>.<window id>}, {@code quota.<metric>},
 *       {@code quota.kind.<count|tokens|bytes|money>}, {@code quota};
 *   <li>an access rule: {@code forbidden.<rule id>}: {@code forbidden.subscription}, {@code forbidden.model},
 *       {@code forbidden.file-size}, {@code forbidden.file-extension};
 *   <li>storage down: {@code unavailable}.
 * </ol>
 * Templates may use {@code {limit} {used} {remaining} {requested} {window} {metric} {resetsAt} {detail}}, and
 * {@code {subject}}: whose quota or rule denied, the user or a budget the request also charged (an
 * organisation's pool, see {@link LimitRequest#alsoCharge}).
 * {@code {window}} and {@code {metric}} are labels looked up the same way under {@code label.window.<id>}
 * ({@code label.window.rolling} for rolling windows) and {@code label.metric.<name>}. With
 * {@linkplain Builder#persianDigits(boolean) Persian digits} on, numbers in Persian messages are written
 * with Persian digits.
 *
 * <p>Immutable and thread-safe.
 *
 * @see Decision#message(Locale)
 */
public final class MessageCatalog {

  private static final Map<String, Map<String, String>> DEFAULTS = shippedTemplates();
  private static final MessageCatalog DEFAULT = new MessageCatalog(DEFAULTS, false);
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm");

  private final Map<String, Map<String, String>> templates;
  private final boolean persianDigits;

  private MessageCatalog(Map<String, Map<String, String>> templates, boolean persianDigits) {
    this.templates = templates;
    this.persianDigits = persianDigits;
  }

  /** {@return the shipped English and Persian templates} */
  public static MessageCatalog defaults() {
    return DEFAULT;
  }

  /**
   * Starts from the shipped templates.
   *
   * @return a builder holding the English and Persian templates
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Renders {@code denial} in {@code locale}, with reset times in UTC.
   *
   * @param denial the denial
   * @param locale the language
   * @return the message
   * @throws NullPointerException if an argument is null
   */
  public String render(Denial denial, Locale locale) {
    return render(denial, locale, ZoneOffset.UTC);
  }

  /**
   * Renders {@code denial} in {@code locale}, with reset times in {@code zone}.
   *
   * @param denial the denial
   * @param locale the language
   * @param zone   the zone reset times are shown in
   * @return the message
   * @throws NullPointerException if an argument is null
   */
  public String render(Denial denial, Locale locale, ZoneId zone) {
    Objects.requireNonNull(denial, "denial");
    Objects.requireNonNull(locale, "locale");
    Objects.requireNonNull(zone, "zone");
    String template = lookup(locale, templateKeys(denial));
    Quota q = denial.quota();
    String window = q == null ? "" : lookup(locale, windowKeys(q.window()));
    if (q != null && q.window() instanceof Window.Calendar) {
      Window.Calendar c = (Window.Calendar) q.window();
      window = window.replace("{n}", Integer.toString(c.amount()));
    } else if (q != null && q.window() instanceof Window.Rolling) {
      window = window.replace("{duration}", human(((Window.Rolling) q.window()).length()));
    }
    String metric = q == null ? "" : lookupOr(locale, "label.metric." + q.metric().name(),
        q.metric().name().replace('_', ' '));
    boolean persian = persianDigits && "fa".equals(locale.getLanguage());
    String resetsAt = denial.resetsAt() == null ? ""
        : TIME.format(LocalDateTime.ofInstant(denial.resetsAt(), zone));
    String text = template
        .replace("{limit}", number(q, denial.limit()))
        .replace("{used}", number(q, denial.used()))
        .replace("{remaining}", number(q, denial.remaining()))
        .replace("{requested}", number(q, denial.requested()))
        .replace("{resetsAt}", resetsAt)
        .replace("{detail}", denial.detail() == null ? "" : denial.detail())
        .replace("{window}", window)
        .replace("{metric}", metric);
    // The subject last, after the digits: an id such as org-7 is written as it is, in every language.
    return (persian ? toPersianDigits(text) : text).replace("{subject}", denial.subject());
  }

  private static String number(@Nullable Quota quota, long value) {
    return quota == null ? Long.toString(value) : quota.metric().format(value);
  }

  private static String human(java.time.Duration d) {
    if (d.toDaysPart() > 0 && d.toHoursPart() == 0 && d.toMinutesPart() == 0) {
      return d.toDays() + "d";
    }
    if (d.toMinutes() % 60 == 0) {
      return d.toHours() + "h";
    }
    return d.toMinutes() + "min";
  }

  private static List<String> templateKeys(Denial d) {
    switch (d.reason()) {
      case QUOTA_EXCEEDED: {
        Quota q = Objects.requireNonNull(d.quota(), "quota of a quota denial");
        String metric = q.metric().name();
        return List.of("quota." + q.id(), "quota." + metric + "." + q.window().id(), "quota." + metric,
            "quota.kind." + q.metric().kind().name().toLowerCase(Locale.ROOT), "quota");
      }
      case STORAGE_UNAVAILABLE:
        return List.of("unavailable");
      default:
        return List.of("forbidden." + d.ruleId(), "forbidden");
    }
  }

  private static List<String> windowKeys(Window w) {
    if (w instanceof Window.Rolling) {
      return List.of("label.window." + w.id(), "label.window.rolling");
    }
    if (w instanceof Window.Calendar && ((Window.Calendar) w).unit() == Window.Calendar.Unit.HOURS
        && ((Window.Calendar) w).amount() > 1) {
      return List.of("label.window." + w.id(), "label.window.hours");
    }
    if (w instanceof Window.Calendar && ((Window.Calendar) w).unit() == Window.Calendar.Unit.WEEKS) {
      return List.of("label.window." + w.id(), "label.window.week");
    }
    return List.of("label.window." + w.id());
  }

  private String lookup(Locale locale, List<String> keys) {
    for (String key : keys) {
      String found = find(locale, key);
      if (found != null) {
        return found;
      }
    }
    return keys.get(0);
  }

  private String lookupOr(Locale locale, String key, String fallback) {
    String found = find(locale, key);
    return found == null ? fallback : found;
  }

  private @Nullable String find(Locale locale, String key) {
    for (String tag : List.of(locale.toLanguageTag(), locale.getLanguage(), "en")) {
      Map<String, String> m = templates.get(tag);
      if (m != null && m.containsKey(key)) {
        return m.get(key);
      }
    }
    return null;
  }

  static String toPersianDigits(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      b.append(c >= '0' && c <= '9' ? (char) ('\u06F0' + (c - '0')) : c);
    }
    return b.toString();
  }

  private static Map<String, Map<String, String>> shippedTemplates() {
    Map<String, String> en = new HashMap<>();
    en.put("quota", "You have reached your {window} {metric} limit ({limit}).");
    en.put("forbidden.subscription", "You have no active subscription.");
    en.put("forbidden.model", "Your plan does not include the model {detail}.");
    en.put("forbidden.file-size", "The file is larger than the allowed {limit} bytes.");
    en.put("forbidden.file-extension", "Files of type .{detail} are not allowed.");
    en.put("forbidden", "This request is not allowed.");
    en.put("unavailable", "Usage limits cannot be checked right now. Please try again shortly.");
    en.put("label.window.hour", "hourly");
    en.put("label.window.hours", "{n}-hour");
    en.put("label.window.day", "daily");
    en.put("label.window.week", "weekly");
    en.put("label.window.month", "monthly");
    en.put("label.window.year", "yearly");
    en.put("label.window.lifetime", "total");
    en.put("label.window.rolling", "{duration}");
    en.put("label.metric.messages", "message");
    en.put("label.metric.tokens", "token");
    en.put("label.metric.images", "image generation");
    en.put("label.metric.files", "file upload");
    en.put("label.metric.cost", "cost");

    Map<String, String> fa = new HashMap<>();
    fa.put("quota", "شما به حد مجاز {metric} {window} ({limit}) رسیده‌اید");
    fa.put("quota.kind.count", "شما به حد مجاز {metric} {window} ({limit} عدد) رسیده‌اید");
    fa.put("quota.kind.tokens", "شما به حد مجاز {metric} {window} ({limit} عدد) رسیده‌اید");
    fa.put("forbidden.subscription", "شما اشتراک فعالی ندارید");
    fa.put("forbidden.model", "دسترسی به این مدل دیگر برای اشتراک شما فعال نیست");
    fa.put("forbidden.file-size", "حجم فایل بیش از حد مجاز ({limit} بایت) است");
    fa.put("forbidden.file-extension", "نوع فایل .{detail} مجاز نیست");
    fa.put("forbidden", "این درخواست مجاز نیست");
    fa.put("unavailable", "بررسی محدودیت‌ها در حال حاضر ممکن نیست؛ لطفاً کمی بعد دوباره تلاش کنید");
    fa.put("label.window.hour", "ساعتی");
    fa.put("label.window.hours", "{n} ساعته");
    fa.put("label.window.day", "روزانه");
    fa.put("label.window.week", "هفتگی");
    fa.put("label.window.month", "ماهانه");
    fa.put("label.window.year", "سالانه");
    fa.put("label.window.lifetime", "کل");
    fa.put("label.window.rolling", "{duration}");
    fa.put("label.metric.messages", "پیام‌های");
    fa.put("label.metric.tokens", "توکن‌های");
    fa.put("label.metric.images", "تولید تصویر");
    fa.put("label.metric.files", "آپلود فایل");
    fa.put("label.metric.cost", "هزینه");
    return Map.of("en", Map.copyOf(en), "fa", Map.copyOf(fa));
  }

  /** Builds a {@link MessageCatalog} on top of the shipped templates. Not thread-safe. */
  public static final class Builder {
    private final Map<String, Map<String, String>> templates = new HashMap<>();
    private boolean persianDigits;

    private Builder() {
      DEFAULTS.forEach((tag, m) -> templates.put(tag, new HashMap<>(m)));
    }

    /**
     * Sets the template for {@code key} in {@code locale} (its language tag, such as {@code fa} or
     * {@code fa-IR}).
     *
     * @param locale   the language
     * @param key      the template key
     * @param template the template text, with placeholders such as {@code {limit}}
     * @return this builder
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if the key or template is empty
     */
    public Builder template(Locale locale, String key, String template) {
      Objects.requireNonNull(locale, "locale");
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(template, "template");
      if (key.isEmpty() || template.isEmpty()) {
        throw new IllegalArgumentException("message key and template must not be empty, got key '" + key + "'");
      }
      templates.computeIfAbsent(locale.toLanguageTag(), t -> new HashMap<>()).put(key, template);
      return this;
    }

    /**
     * Writes numbers in Persian messages with Persian digits (۰۱۲۳۴۵۶۷۸۹); off by default.
     *
     * @param on whether to use Persian digits
     * @return this builder
     */
    public Builder persianDigits(boolean on) {
      this.persianDigits = on;
      return this;
    }

    /**
     * Builds the catalog.
     *
     * @return the immutable catalog
     */
    public MessageCatalog build() {
      Map<String, Map<String, String>> copy = new HashMap<>();
      templates.forEach((tag, m) -> copy.put(tag, Map.copyOf(m)));
      return new MessageCatalog(Map.copyOf(copy), persianDigits);
    }
  }
}
