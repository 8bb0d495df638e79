package dev.limits.plans;

import dev.limits.plans.internal.PlanConfig;
import dev.limits.plans.internal.Require;
import java.math.BigDecimal;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What an organisation's plan shares among its members: a pool of paid-model tokens per day and per month,
 * and a monthly budget of provider cost. Every member's call draws on the pool on top of the member's own
 * {@link Plan}; an {@link AiGate} checks and reserves both in one all-or-nothing step, so that members calling
 * at the same time never overdraw the pool and a call the pool refuses counts against nobody.
 *
 * <p>Free models do not draw on the pool (their tokens are counted apart, as in a {@link Plan}). Each count is
 * an {@link Allowance}; the cost budget is an amount of money, present or absent. An immutable value:
 * thread-safe, equal when all its settings are equal.
 *
 * <pre>{@code
 * OrganisationPlan team = OrganisationPlan.builder("team")
 *     .tokensPerMonth(Allowance.of(5_000_000))
 *     .costBudget(new BigDecimal("200.00"))
 *     .build();
 * AiPermit permit = gate.before("user-42", pro, new Organisation("acme", team), call);
 * }</pre>
 *
 * @see Organisation
 * @see AiGate#before(String, Plan, Organisation, AiCall)
 */
public final class OrganisationPlan {

  private final String name;
  private final Allowance tokensPerDay;
  private final Allowance tokensPerMonth;
  private final long costBudgetMicros; // -1: none

  private OrganisationPlan(Builder b) {
    this.name = b.name;
    this.tokensPerDay = b.tokensPerDay;
    this.tokensPerMonth = b.tokensPerMonth;
    this.costBudgetMicros = b.costBudgetMicros;
  }

  /**
   * Starts an organisation plan named {@code name}, with nothing limited.
   *
   * @param name the plan's name
   * @return a builder
   * @throws NullPointerException     if {@code name} is null
   * @throws IllegalArgumentException if the name is blank or longer than {@value Plan#MAX_NAME_LENGTH}
   *                                  characters, or has a control character
   */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /**
   * Reads an organisation plan from admin settings, keyed by field name: {@code name},
   * {@code daily_max_tokens}, {@code monthly_max_tokens} (paid-model tokens) and {@code max_cost_usd}
   * (decimal dollars a month). As in {@link Plan#fromConfig(Map)}, and only here, 0 means unlimited (a cost
   * budget of 0, no cost budget).
   *
   * @param config the admin settings, by field name
   * @return the plan
   * @throws NullPointerException if {@code config} or one of its keys or values is null
   * @throws InvalidPlanException listing every unknown key and bad value, if there is any
   */
  public static OrganisationPlan fromConfig(Map<String, String> config) {
    return PlanConfig.readOrganisation(config);
  }

  /** {@return the plan's name} */
  public String name() {
    return name;
  }

  /** {@return the paid-model tokens the members may use together per day} */
  public Allowance tokensPerDay() {
    return tokensPerDay;
  }

  /** {@return the paid-model tokens the members may use together per month} */
  public Allowance tokensPerMonth() {
    return tokensPerMonth;
  }

  /** {@return the provider cost the members may spend together per month, in dollars; empty if none} */
  public Optional<BigDecimal> costBudgetUsd() {
    return costBudgetMicros < 0 ? Optional.empty() : Optional.of(PlanMetrics.COST.toDecimal(costBudgetMicros));
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof OrganisationPlan)) {
      return false;
    }
    OrganisationPlan p = (OrganisationPlan) o;
    return name.equals(p.name) && tokensPerDay.equals(p.tokensPerDay) && tokensPerMonth.equals(p.tokensPerMonth)
        && costBudgetMicros == p.costBudgetMicros;
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, tokensPerDay, tokensPerMonth, costBudgetMicros);
  }

  @Override
  public String toString() {
    return "OrganisationPlan[" + name
        + (tokensPerDay.isUnlimited() ? "" : ", tokensPerDay=" + tokensPerDay)
        + (tokensPerMonth.isUnlimited() ? "" : ", tokensPerMonth=" + tokensPerMonth)
        + costBudgetUsd().map(c -> ", cost=" + c.toPlainString() + " USD").orElse("") + "]";
  }

  /** Builds an {@link OrganisationPlan}. Each setter checks its argument at once. Not thread-safe. */
  public static final class Builder {
    private final String name;
    private Allowance tokensPerDay = Allowance.unlimited();
    private Allowance tokensPerMonth = Allowance.unlimited();
    private long costBudgetMicros = -1;

    private Builder(String name) {
      this.name = Require.name(name, "organisation plan name", Plan.MAX_NAME_LENGTH);
    }

    /**
     * Sets the paid-model tokens the members may use together per day (default unlimited).
     *
     * @param tokens the pool
     * @return this builder
     * @throws NullPointerException if {@code tokens} is null
     */
    public Builder tokensPerDay(Allowance tokens) {
      this.tokensPerDay = Objects.requireNonNull(tokens, "tokens");
      return this;
    }

    /**
     * Sets the paid-model tokens the members may use together per month (default unlimited).
     *
     * @param tokens the pool
     * @return this builder
     * @throws NullPointerException if {@code tokens} is null
     */
    public Builder tokensPerMonth(Allowance tokens) {
      this.tokensPerMonth = Objects.requireNonNull(tokens, "tokens");
      return this;
    }

    /**
     * Sets a monthly budget of provider cost shared by the members, exact to the micro-dollar; zero allows no
     * call that costs anything. The plan has no cost budget until this is called.
     *
     * @param usd the budget in dollars
     * @return this builder
     * @throws NullPointerException     if {@code usd} is null
     * @throws IllegalArgumentException if it is negative or has more than six decimals
     */
    public Builder costBudget(BigDecimal usd) {
      this.costBudgetMicros = Require.costBudgetMicros(usd);
      return this;
    }

    /**
     * Builds the plan.
     *
     * @return the plan
     */
    public OrganisationPlan build() {
      return new OrganisationPlan(this);
    }
  }
}
