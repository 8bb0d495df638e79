package dev.limits.plans;

import dev.limits.plans.internal.Require;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A discount code's limits: total uses, uses per user, expiry. Immutable and thread-safe.
 *
 * <pre>{@code DiscountCode.of("NOWRUZ").withMaxUses(100).withMaxUsesPerUser(1).withExpiry(endOfCampaign)}</pre>
 *
 * @param code           the code, 1 to 64 characters
 * @param maxUses        the most redemptions by everyone, or {@link Allowance#unlimited()}
 * @param maxUsesPerUser the most redemptions by one user, or {@link Allowance#unlimited()}
 * @param expiresAt      the first instant the code no longer works; empty if it never expires
 * @see AiGate#redeem(String, DiscountCode)
 */
public record DiscountCode(String code, Allowance maxUses, Allowance maxUsesPerUser,
    Optional<Instant> expiresAt) {

  /**
   * Creates a code.
   *
   * @param code           the code, 1 to 64 characters
   * @param maxUses        the most redemptions by everyone, or {@link Allowance#unlimited()}
   * @param maxUsesPerUser the most redemptions by one user, or {@link Allowance#unlimited()}
   * @param expiresAt      the first instant the code no longer works; empty if it never expires
   * @throws NullPointerException     if an argument is null
   * @throws IllegalArgumentException if the code is empty or too long
   */
  public DiscountCode {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(maxUses, "maxUses");
    Objects.requireNonNull(maxUsesPerUser, "maxUsesPerUser");
    Objects.requireNonNull(expiresAt, "expiresAt");
    Require.argument(!code.isEmpty() && code.length() <= 64 && code.chars().noneMatch(Character::isISOControl),
        "discount code must have 1 to 64 characters, got '%s'", code);
  }

  /**
   * A code without limits.
   *
   * @param code the code, 1 to 64 characters
   * @return the code
   * @throws NullPointerException     if {@code code} is null
   * @throws IllegalArgumentException if it is empty or longer than 64 characters
   */
  public static DiscountCode of(String code) {
    return new DiscountCode(code, Allowance.unlimited(), Allowance.unlimited(), Optional.empty());
  }

  /**
   * Returns this code usable {@code uses} times in all (zero: never).
   *
   * @param uses the most redemptions by everyone, zero or more
   * @return a code with that limit
   * @throws IllegalArgumentException if {@code uses} is negative
   */
  public DiscountCode withMaxUses(long uses) {
    Require.argument(uses >= 0, "max uses must be 0 or more, got %s", uses);
    return new DiscountCode(code, Allowance.of(uses), maxUsesPerUser, expiresAt);
  }

  /**
   * Returns this code usable {@code uses} times by each user.
   *
   * @param uses the most redemptions by one user, zero or more
   * @return a code with that limit
   * @throws IllegalArgumentException if {@code uses} is negative
   */
  public DiscountCode withMaxUsesPerUser(long uses) {
    Require.argument(uses >= 0, "max uses per user must be 0 or more, got %s", uses);
    return new DiscountCode(code, maxUses, Allowance.of(uses), expiresAt);
  }

  /**
   * Returns this code expiring at {@code at}.
   *
   * @param at the first instant the code no longer works
   * @return a code with that expiry
   * @throws NullPointerException if {@code at} is null
   */
  public DiscountCode withExpiry(Instant at) {
    return new DiscountCode(code, maxUses, maxUsesPerUser, Optional.of(Objects.requireNonNull(at, "at")));
  }
}
