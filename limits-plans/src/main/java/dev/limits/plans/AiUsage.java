package dev.limits.plans;

import dev.limits.plans.internal.Require;
import java.math.BigDecimal;
import java.util.Objects;

/**
 * What an AI call actually used, to settle its {@link AiPermit}: tokens, provider cost, and whether the
 * images it generated were saved. Immutable and thread-safe.
 *
 * <pre>{@code AiUsage.of(reply.totalTokens()).withCost(reply.costUsd()).withImagesSaved(saved)}</pre>
 *
 * @param tokens      the tokens used, zero or more
 * @param costUsd     the provider's cost in dollars, zero or more; rounded up to the micro-dollar
 * @param imagesSaved whether generated images were saved (only then is an image generation counted)
 * @see AiPermit#commit(AiUsage)
 */
public record AiUsage(long tokens, BigDecimal costUsd, boolean imagesSaved) {

  /**
   * Creates a usage record.
   *
   * @param tokens      the tokens used, zero or more
   * @param costUsd     the provider's cost in dollars, zero or more; rounded up to the micro-dollar
   * @param imagesSaved whether generated images were saved (only then is an image generation counted)
   * @throws NullPointerException     if {@code costUsd} is null
   * @throws IllegalArgumentException if {@code tokens} or {@code costUsd} is negative
   */
  public AiUsage {
    Objects.requireNonNull(costUsd, "costUsd");
    Require.argument(tokens >= 0, "tokens must not be negative, got %s", tokens);
    Require.argument(costUsd.signum() >= 0, "cost must not be negative, got %s", costUsd);
  }

  /**
   * A call that used {@code tokens}, cost nothing and saved no image.
   *
   * @param tokens the tokens used, zero or more
   * @return the usage
   * @throws IllegalArgumentException if {@code tokens} is negative
   */
  public static AiUsage of(long tokens) {
    return new AiUsage(tokens, BigDecimal.ZERO, false);
  }

  /**
   * Returns this usage costing {@code usd}.
   *
   * @param usd the provider's cost in dollars, zero or more
   * @return a usage with that cost
   * @throws NullPointerException     if {@code usd} is null
   * @throws IllegalArgumentException if it is negative
   */
  public AiUsage withCost(BigDecimal usd) {
    return new AiUsage(tokens, usd, imagesSaved);
  }

  /**
   * Returns this usage with images saved or not.
   *
   * @param saved whether generated images were saved
   * @return a usage with that flag
   */
  public AiUsage withImagesSaved(boolean saved) {
    return new AiUsage(tokens, costUsd, saved);
  }
}
