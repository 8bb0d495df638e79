package dev.limits.plans;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Decides whether a user may move from their current plan to another one; plug in your own (price order,
 * cool-down, ...) with {@link AiGate.Builder#upgradeRule}. Implementations must be thread-safe; an exception
 * thrown by one is logged and refuses the upgrade.
 *
 * @see UpgradeCheck
 */
@FunctionalInterface
public interface UpgradeRule {

  /**
   * Decides on an upgrade.
   *
   * @param current the user's plan, with their subscription dates; null if they have none
   * @param target  the plan asked for
   * @param now     the current instant
   * @return the decision, never null
   */
  UpgradeCheck evaluate(@Nullable Plan current, Plan target, Instant now);

  /**
   * Returns the usual rule: the user must have a subscription active now, the target must be offered, and it
   * must be another plan than the current one.
   *
   * @return the rule
   */
  static UpgradeRule standard() {
    return (current, target, now) -> {
      Objects.requireNonNull(target, "target");
      Objects.requireNonNull(now, "now");
      if (current == null || !current.isActiveAt(now)) {
        return UpgradeCheck.refused(UpgradeCheck.NO_ACTIVE_SUBSCRIPTION);
      }
      if (!target.enabled()) {
        return UpgradeCheck.refused(UpgradeCheck.TARGET_NOT_OFFERED);
      }
      if (current.name().equals(target.name())) {
        return UpgradeCheck.refused(UpgradeCheck.SAME_PLAN);
      }
      return UpgradeCheck.ok();
    };
  }
}
