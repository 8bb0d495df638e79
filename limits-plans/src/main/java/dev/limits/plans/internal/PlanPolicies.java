package dev.limits.plans.internal;

import dev.limits.LimitPolicy;
import java.util.Objects;

/**
 * A {@link dev.limits.plans.Plan} compiled to limits policies, one per subject that is counted.
 *
 * <ul>
 *   <li>{@code chat}, for the user: subscription validity and model access (403), then the free-model pool,
 *       images, messages, paid tokens, per-model budgets and cost (429), in
 *       {@link dev.limits.plans.PlanLimit}'s order;
 *   <li>{@code files}, for the user: file size and extension (403), then uploads per day, week and month;
 *   <li>{@code chatFiles}, for the subject {@code user/chat}: uploads per chat session.
 * </ul>
 * Immutable and thread-safe.
 *
 * @param chat      the policy of AI calls
 * @param files     the policy of file uploads per user
 * @param chatFiles the policy of file uploads per chat session
 * @see PlanCompiler
 */
public record PlanPolicies(LimitPolicy chat, LimitPolicy files, LimitPolicy chatFiles) {

  /**
   * Creates compiled policies.
   *
   * @param chat      the policy of AI calls
   * @param files     the policy of file uploads per user
   * @param chatFiles the policy of file uploads per chat session
   * @throws NullPointerException if an argument is null
   */
  public PlanPolicies {
    Objects.requireNonNull(chat, "chat");
    Objects.requireNonNull(files, "files");
    Objects.requireNonNull(chatFiles, "chatFiles");
  }
}
