package dev.limits.plans;

import dev.limits.Metric;
import java.util.Currency;

/**
 * The metrics compiled plans count. Their names pick the shipped message labels ({@code label.metric.<name>})
 * and form the counters' keys, so usage survives a change of plan.
 *
 * <p>Free models are counted in {@link #FREE_TOKENS}, paid models in {@link #TOKENS} (and in
 * {@link #MODEL_TOKENS} where the plan gives the model a budget of its own), so that the two never draw on each
 * other's quotas. Immutable constants; thread-safe.
 *
 * @see PlanLimit#metric()
 */
public final class PlanMetrics {

  /** Chat messages sent to a model. */
  public static final Metric MESSAGES = Metric.count("messages");
  /** Tokens of paid models. */
  public static final Metric TOKENS = Metric.tokens("tokens");
  /** Tokens of models with a per-model budget, counted per model. */
  public static final Metric MODEL_TOKENS = Metric.tokens("model_tokens");
  /** Tokens of free models: the free pool. */
  public static final Metric FREE_TOKENS = Metric.tokens("free_tokens");
  /** Image generations that saved at least one image. */
  public static final Metric IMAGES = Metric.count("images");
  /** Provider cost in micro-dollars (scale 6): $0.0031 is 3100. */
  public static final Metric COST = Metric.money("cost", Currency.getInstance("USD"), 6);
  /** Uploaded files. */
  public static final Metric FILES = Metric.count("files");
  /** Redemptions of a discount code. */
  public static final Metric CODE_USES = Metric.count("code_uses");

  private PlanMetrics() {}
}
