package dev.limits.plans;

import dev.limits.Metric;
import dev.limits.Window;
import java.time.DayOfWeek;

/**
 * The counted limits of a {@link Plan}: each is at most some number of a metric per calendar window
 * (or per chat session), and compiles to one {@link dev.limits.Quota} whose id is {@link #quotaId()}.
 *
 * <p>The constants are declared in the order a call is checked against them, after model access: the free-model
 * pool (only calls to free models draw on it), then the time windows of images, messages and tokens, then files.
 * Each names the admin field it is read from by {@link Plan#fromConfig}. Immutable and thread-safe.
 *
 * @see Plan.Builder#limit(PlanLimit, long)
 */
public enum PlanLimit {
  /** Tokens of free models per month: the free pool, which paid token quotas never see. */
  FREE_MODEL_TOKENS_PER_MONTH("free-tokens-month", PlanMetrics.FREE_TOKENS, Span.MONTH, "monthly_free_model_tokens"),
  /** Image generations per day (default: 10). */
  IMAGES_PER_DAY("images-day", PlanMetrics.IMAGES, Span.DAY, "daily_image_generation_limit", Allowance.of(10)),
  /** Image generations per week (default: 50). */
  IMAGES_PER_WEEK("images-week", PlanMetrics.IMAGES, Span.WEEK, "weekly_image_generation_limit",
      Allowance.of(50)),
  /** Image generations per month (default: 200). */
  IMAGES_PER_MONTH("images-month", PlanMetrics.IMAGES, Span.MONTH, "monthly_image_generation_limit",
      Allowance.of(200)),
  /** Messages per clock hour. */
  MESSAGES_PER_HOUR("messages-hour", PlanMetrics.MESSAGES, Span.HOUR, "hourly_max_messages"),
  /** Messages per 3-hour block from local midnight. */
  MESSAGES_PER_3_HOURS("messages-3h", PlanMetrics.MESSAGES, Span.HOURS_3, "three_hour_max_messages"),
  /** Messages per 12-hour block from local midnight. */
  MESSAGES_PER_12_HOURS("messages-12h", PlanMetrics.MESSAGES, Span.HOURS_12, "twelve_hour_max_messages"),
  /** Messages per day. */
  MESSAGES_PER_DAY("messages-day", PlanMetrics.MESSAGES, Span.DAY, "daily_max_messages"),
  /** Messages per week. */
  MESSAGES_PER_WEEK("messages-week", PlanMetrics.MESSAGES, Span.WEEK, "weekly_max_messages"),
  /** Messages per month. */
  MESSAGES_PER_MONTH("messages-month", PlanMetrics.MESSAGES, Span.MONTH, "monthly_max_messages"),
  /** Paid-model tokens per clock hour. */
  TOKENS_PER_HOUR("tokens-hour", PlanMetrics.TOKENS, Span.HOUR, "hourly_max_tokens"),
  /** Paid-model tokens per day. */
  TOKENS_PER_DAY("tokens-day", PlanMetrics.TOKENS, Span.DAY, "daily_max_tokens"),
  /** Paid-model tokens per week. */
  TOKENS_PER_WEEK("tokens-week", PlanMetrics.TOKENS, Span.WEEK, "weekly_max_tokens"),
  /** Paid-model tokens per month. */
  TOKENS_PER_MONTH("tokens-month", PlanMetrics.TOKENS, Span.MONTH, "monthly_max_tokens"),
  /** File uploads per day. */
  FILES_PER_DAY("files-day", PlanMetrics.FILES, Span.DAY, "daily_file_limit"),
  /** File uploads per week. */
  FILES_PER_WEEK("files-week", PlanMetrics.FILES, Span.WEEK, "weekly_file_limit"),
  /** File uploads per month. */
  FILES_PER_MONTH("files-month", PlanMetrics.FILES, Span.MONTH, "monthly_file_limit"),
  /** File uploads per chat session, ever; counted for the subject {@code user/chat}. */
  FILES_PER_CHAT("files-chat", PlanMetrics.FILES, Span.LIFETIME, "max_files_per_chat");

  private enum Span { HOUR, HOURS_3, HOURS_12, DAY, WEEK, MONTH, LIFETIME }

  private final String quotaId;
  private final Metric metric;
  private final Span span;
  private final String configKey;
  private final Allowance defaultAllowance;

  PlanLimit(String quotaId, Metric metric, Span span, String configKey) {
    this(quotaId, metric, span, configKey, Allowance.unlimited());
  }

  PlanLimit(String quotaId, Metric metric, Span span, String configKey, Allowance defaultAllowance) {
    this.quotaId = quotaId;
    this.metric = metric;
    this.span = span;
    this.configKey = configKey;
    this.defaultAllowance = defaultAllowance;
  }

  /** {@return the id of the compiled quota, used in message keys ({@code quota.<id>}) and HTTP headers} */
  public String quotaId() {
    return quotaId;
  }

  /** {@return the metric counted} */
  public Metric metric() {
    return metric;
  }

  /** {@return the admin field this limit is read from by {@link Plan#fromConfig}, where 0 means unlimited} */
  public String configKey() {
    return configKey;
  }

  /**
   * {@return what a new plan allows until the builder or the admin settings say otherwise: a number for the
   * image limits, {@link Allowance#unlimited()} for every other limit}
   */
  public Allowance defaultAllowance() {
    return defaultAllowance;
  }

  /** {@return whether this limit counts per chat session rather than per user} */
  public boolean perChat() {
    return span == Span.LIFETIME;
  }

  /**
   * Returns the window this limit counts over, with weeks starting on {@code weekStart}.
   *
   * @param weekStart the first day of weekly windows
   * @return the window
   * @throws NullPointerException if {@code weekStart} is null
   */
  public Window window(DayOfWeek weekStart) {
    switch (span) {
      case HOUR: return Window.hour();
      case HOURS_3: return Window.hours(3);
      case HOURS_12: return Window.hours(12);
      case DAY: return Window.day();
      case WEEK: return Window.week(weekStart);
      case MONTH: return Window.month();
      default: return Window.lifetime();
    }
  }
}
