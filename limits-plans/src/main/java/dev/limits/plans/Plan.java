package dev.limits.plans;

import dev.limits.LimitPolicy;
import dev.limits.plans.internal.PlanConfig;
import dev.limits.plans.internal.Require;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * A subscription plan of an AI-chat product (a subscription type with its file settings and the
 * user's subscription dates): counted limits, a free-model token pool, per-model token budgets, a cost budget,
 * the models allowed, file rules and the subscription's validity.
 *
 * <p>Every count a plan allows (each {@link PlanLimit}, the tokens of one call to a free model, the size of a
 * file) is an {@link Allowance}: a number, where 0 allows nothing (as a quota of 0 does in a
 * {@link LimitPolicy}), or {@link Allowance#unlimited()}, the one way the API says "no limit". The cost budget
 * is an amount of money rather than a count: a plan has one, or has none ({@link #costBudgetUsd()} is empty). A
 * model with a budget of its own is a key of {@link #modelTokenBudgets()}; a model that is not has none.
 * Admin settings, where 0 means unlimited, are read by {@link #fromConfig(Map)} alone. Image limits default to
 * 10 a day, 50 a week and 200 a month, everything else to unlimited.
 *
 * <p>An immutable value: thread-safe, equal when all its settings are equal, and equal plans are limited
 * alike. An {@link AiGate} compiles each distinct plan to limits policies once.
 *
 * <pre>{@code
 * Plan pro = Plan.builder("pro")
 *     .limit(PlanLimit.MESSAGES_PER_HOUR, 20)
 *     .limit(PlanLimit.TOKENS_PER_DAY, 50_000)
 *     .limit(PlanLimit.IMAGES_PER_DAY, Allowance.unlimited())   // lifts the default of 10 a day
 *     .costBudget(new BigDecimal("5.00"))
 *     .allowModels("openai/gpt-4o").freeModels("meta/llama-3-8b")
 *     .build();
 * }</pre>
 *
 * @see AiGate
 * @see PlanLimit
 * @see Allowance
 */
public final class Plan {

  /** The longest plan name. */
  public static final int MAX_NAME_LENGTH = 80;
  /** The longest model id a plan may name. */
  public static final int MAX_MODEL_LENGTH = 180;

  private final String name;
  private final boolean enabled;
  private final Map<PlanLimit, Allowance> limits;
  private final Allowance maxTokensFree;
  private final Map<String, Long> modelTokenBudgets;
  private final long costBudgetMicros;   // -1: none
  private final Set<String> allowedModels;
  private final Set<String> freeModels;
  private final Allowance maxFileSize;
  private final Set<String> allowedExtensions;
  private final @Nullable Instant activeFrom;
  private final @Nullable Instant activeUntil;

  private Plan(Builder b) {
    this.name = b.name;
    this.enabled = b.enabled;
    this.limits = Collections.unmodifiableMap(new EnumMap<>(b.limits));
    this.maxTokensFree = b.maxTokensFree;
    this.modelTokenBudgets = Collections.unmodifiableMap(new TreeMap<>(b.modelTokenBudgets));
    this.costBudgetMicros = b.costBudgetMicros;
    this.allowedModels = Collections.unmodifiableSet(new TreeSet<>(b.allowedModels));
    this.freeModels = Collections.unmodifiableSet(new TreeSet<>(b.freeModels));
    this.maxFileSize = b.maxFileSize;
    this.allowedExtensions = Collections.unmodifiableSet(new TreeSet<>(b.allowedExtensions));
    this.activeFrom = b.activeFrom;
    this.activeUntil = b.activeUntil;
  }

  /**
   * Starts a plan named {@code name}, with the default image limits and nothing else limited.
   *
   * @param name the plan's name
   * @return a builder
   * @throws NullPointerException     if {@code name} is null
   * @throws IllegalArgumentException if the name is blank or longer than {@value #MAX_NAME_LENGTH} characters
   */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /**
   * Reads a plan from admin settings, as admins write them and as the plan tables of limits-plans-jdbc store
   * them, keyed by field name: {@code name}, {@code is_active}, each {@link PlanLimit#configKey()},
   * {@code max_tokens_free}, {@code max_openrouter_cost_usd} (decimal dollars), {@code model_token_budget.<model>}
   * (tokens a month), {@code allowed_models}, {@code free_models}, {@code allowed_extensions}
   * (comma-separated), {@code max_file_size} (bytes), {@code active_from} and {@code active_until} (ISO-8601
   * instants).
   *
   * <p>In these settings, and only here, a limit, budget or size of 0 means unlimited: it reads as
   * {@link Allowance#unlimited()} (a cost budget of 0 as no cost budget, a model budget of 0 as no budget of
   * its own), never as a limit that allows nothing. Each problem reported starts with its key. An absent
   * image limit takes its {@linkplain PlanLimit#defaultAllowance() default}; an empty model or extension list
   * allows all.
   *
   * @param config the admin settings, by field name
   * @return the plan
   * @throws NullPointerException if {@code config} or one of its keys or values is null
   * @throws InvalidPlanException listing every unknown key and bad value, if there is any
   */
  public static Plan fromConfig(Map<String, String> config) {
    return PlanConfig.read(config);
  }

  /** {@return the plan's name} */
  public String name() {
    return name;
  }

  /** {@return whether the plan is offered, as a target of upgrades (the {@code is_active} setting)} */
  public boolean enabled() {
    return enabled;
  }

  /**
   * Returns what this plan allows of {@code limit}.
   *
   * @param limit the counted limit
   * @return its allowance: a number (0 allows nothing) or {@link Allowance#unlimited()}
   * @throws NullPointerException if {@code limit} is null
   */
  public Allowance limit(PlanLimit limit) {
    return Objects.requireNonNull(limits.get(Objects.requireNonNull(limit, "limit")), "every limit has an allowance");
  }

  /** {@return every {@link PlanLimit} with its allowance, unlimited ones included, in declaration order} */
  public Map<PlanLimit, Allowance> limits() {
    return limits;
  }

  /**
   * {@return the most tokens one call to a free model may use (the {@code max_tokens_free} setting), at least 1,
   * or {@link Allowance#unlimited()}}
   */
  public Allowance maxTokensFree() {
    return maxTokensFree;
  }

  /**
   * {@return tokens a month per model with a budget of its own, by model id; a model not here has no budget of
   * its own, only the plan's token limits}
   */
  public Map<String, Long> modelTokenBudgets() {
    return modelTokenBudgets;
  }

  /**
   * {@return the monthly budget of provider cost in dollars, with six decimals; empty if the plan has no cost
   * budget}
   */
  public Optional<BigDecimal> costBudgetUsd() {
    return costBudgetMicros < 0 ? Optional.empty() : Optional.of(PlanMetrics.COST.toDecimal(costBudgetMicros));
  }

  /** {@return the paid models allowed; empty allows every model} Free models are always allowed. */
  public Set<String> allowedModels() {
    return allowedModels;
  }

  /** {@return the free models, whose tokens draw on the free pool only} */
  public Set<String> freeModels() {
    return freeModels;
  }

  /**
   * Returns whether {@code model} is one of this plan's free models.
   *
   * @param model the model id, or null (never free)
   * @return whether its tokens draw on the free pool
   */
  public boolean isFree(@Nullable String model) {
    return model != null && freeModels.contains(model);
  }

  /** {@return the largest file allowed, in bytes (0 allows only empty files), or {@link Allowance#unlimited()}} */
  public Allowance maxFileSize() {
    return maxFileSize;
  }

  /** {@return the file extensions allowed, lower case without a dot; empty allows all} */
  public Set<String> allowedExtensions() {
    return allowedExtensions;
  }

  /** {@return when the subscription starts, if it has a start} */
  public Optional<Instant> activeFrom() {
    return Optional.ofNullable(activeFrom);
  }

  /** {@return when the subscription ends (exclusive), if it ends} */
  public Optional<Instant> activeUntil() {
    return Optional.ofNullable(activeUntil);
  }

  /**
   * Returns whether the subscription is active at {@code instant}.
   *
   * @param instant the instant
   * @return whether it is at or after the start and before the end
   * @throws NullPointerException if {@code instant} is null
   */
  public boolean isActiveAt(Instant instant) {
    Objects.requireNonNull(instant, "instant");
    return (activeFrom == null || !instant.isBefore(activeFrom))
        && (activeUntil == null || instant.isBefore(activeUntil));
  }

  /** {@return a builder holding this plan's settings, to derive another plan} */
  public Builder toBuilder() {
    Builder b = new Builder(name);
    b.enabled = enabled;
    b.limits.clear();
    b.limits.putAll(limits);
    b.maxTokensFree = maxTokensFree;
    b.modelTokenBudgets.putAll(modelTokenBudgets);
    b.costBudgetMicros = costBudgetMicros;
    b.allowedModels.addAll(allowedModels);
    b.freeModels.addAll(freeModels);
    b.maxFileSize = maxFileSize;
    b.allowedExtensions.addAll(allowedExtensions);
    b.activeFrom = activeFrom;
    b.activeUntil = activeUntil;
    return b;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Plan)) {
      return false;
    }
    Plan p = (Plan) o;
    return name.equals(p.name) && enabled == p.enabled && limits.equals(p.limits) && maxTokensFree.equals(p.maxTokensFree)
        && modelTokenBudgets.equals(p.modelTokenBudgets) && costBudgetMicros == p.costBudgetMicros
        && allowedModels.equals(p.allowedModels) && freeModels.equals(p.freeModels) && maxFileSize.equals(p.maxFileSize)
        && allowedExtensions.equals(p.allowedExtensions) && Objects.equals(activeFrom, p.activeFrom)
        && Objects.equals(activeUntil, p.activeUntil);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, enabled, limits, maxTokensFree, modelTokenBudgets, costBudgetMicros, allowedModels,
        freeModels, maxFileSize, allowedExtensions, activeFrom, activeUntil);
  }

  @Override
  public String toString() {
    Map<PlanLimit, Allowance> limited = new EnumMap<>(PlanLimit.class);
    limits.forEach((l, a) -> {
      if (!a.isUnlimited()) {
        limited.put(l, a);
      }
    });
    return "Plan[" + name + (enabled ? "" : ", disabled") + ", limits=" + limited
        + (maxTokensFree.isUnlimited() ? "" : ", maxTokensFree=" + maxTokensFree)
        + (modelTokenBudgets.isEmpty() ? "" : ", modelTokenBudgets=" + modelTokenBudgets)
        + costBudgetUsd().map(c -> ", cost=" + c.toPlainString() + " USD").orElse("")
        + (allowedModels.isEmpty() ? "" : ", models=" + allowedModels)
        + (freeModels.isEmpty() ? "" : ", freeModels=" + freeModels)
        + (maxFileSize.isUnlimited() ? "" : ", maxFileSize=" + maxFileSize)
        + (allowedExtensions.isEmpty() ? "" : ", extensions=" + allowedExtensions)
        + (activeFrom == null ? "" : ", from=" + activeFrom) + (activeUntil == null ? "" : ", until=" + activeUntil)
        + "]";
  }

  /**
   * Builds a {@link Plan}. Each setter checks its argument at once. Not thread-safe.
   */
  public static final class Builder {
    private final String name;
    private boolean enabled = true;
    private final Map<PlanLimit, Allowance> limits = new EnumMap<>(PlanLimit.class);
    private Allowance maxTokensFree = Allowance.unlimited();
    private final Map<String, Long> modelTokenBudgets = new TreeMap<>();
    private long costBudgetMicros = -1;
    private final Set<String> allowedModels = new TreeSet<>();
    private final Set<String> freeModels = new TreeSet<>();
    private Allowance maxFileSize = Allowance.unlimited();
    private final Set<String> allowedExtensions = new TreeSet<>();
    private @Nullable Instant activeFrom;
    private @Nullable Instant activeUntil;

    private Builder(String name) {
      this.name = Require.name(name, "plan name", MAX_NAME_LENGTH);
      for (PlanLimit l : PlanLimit.values()) {
        limits.put(l, l.defaultAllowance());
      }
    }

    /**
     * Sets whether the plan is offered as an upgrade target (default true).
     *
     * @param enabled whether it is offered
     * @return this builder
     */
    public Builder enabled(boolean enabled) {
      this.enabled = enabled;
      return this;
    }

    /**
     * Limits {@code limit} to {@code value} per window: the same as {@code limit(limit, Allowance.of(value))}.
     * Zero allows nothing, unlike the admin settings read by {@link Plan#fromConfig(Map)}; to lift a limit
     * use {@link #limit(PlanLimit, Allowance)} with {@link Allowance#unlimited()}.
     *
     * @param limit the counted limit
     * @param value the most allowed per window, zero or more; zero allows nothing
     * @return this builder
     * @throws NullPointerException     if {@code limit} is null
     * @throws IllegalArgumentException if {@code value} is negative
     */
    public Builder limit(PlanLimit limit, long value) {
      Objects.requireNonNull(limit, "limit");
      Require.argument(value >= 0, "limit %s must be 0 (allows nothing) or more, got %s; for no limit use "
          + "Allowance.unlimited()", limit, value);
      return limit(limit, Allowance.of(value));
    }

    /**
     * Sets what the plan allows of {@code limit}: a number, or {@link Allowance#unlimited()}, which also lifts
     * an image limit's default.
     *
     * @param limit     the counted limit
     * @param allowance what is allowed per window
     * @return this builder
     * @throws NullPointerException if an argument is null
     */
    public Builder limit(PlanLimit limit, Allowance allowance) {
      limits.put(Objects.requireNonNull(limit, "limit"), Objects.requireNonNull(allowance, "allowance"));
      return this;
    }

    /**
     * Caps each call to a free model at {@code tokens}: the same as
     * {@code maxTokensFree(Allowance.of(tokens))}.
     *
     * @param tokens the most tokens per call, at least 1
     * @return this builder
     * @throws IllegalArgumentException if {@code tokens} is less than 1
     */
    public Builder maxTokensFree(long tokens) {
      Require.argument(tokens >= 1, "maxTokensFree must be at least 1, got %s", tokens);
      return maxTokensFree(Allowance.of(tokens));
    }

    /**
     * Sets the most tokens of each call to a free model (default {@link Allowance#unlimited()}).
     *
     * @param tokens the most tokens per call, at least 1, or {@link Allowance#unlimited()}
     * @return this builder
     * @throws NullPointerException     if {@code tokens} is null
     * @throws IllegalArgumentException if it allows no token at all
     */
    public Builder maxTokensFree(Allowance tokens) {
      Objects.requireNonNull(tokens, "tokens");
      Require.argument(tokens.isUnlimited() || tokens.max() >= 1, "maxTokensFree must be at least 1, got %s",
          tokens);
      this.maxTokensFree = tokens;
      return this;
    }

    /**
     * Gives {@code model} a budget of its own of {@code tokensPerMonth}, on top of the plan's token limits.
     *
     * @param model          the model id
     * @param tokensPerMonth the model's budget, zero or more; zero allows the model nothing
     * @return this builder
     * @throws NullPointerException     if {@code model} is null
     * @throws IllegalArgumentException if the model id is empty or too long, or the budget is negative
     */
    public Builder modelTokens(String model, long tokensPerMonth) {
      requireModel(model);
      Require.argument(tokensPerMonth >= 0, "token budget of model '%s' must be 0 or more, got %s", model,
          tokensPerMonth);
      modelTokenBudgets.put(model, tokensPerMonth);
      return this;
    }

    /**
     * Sets a monthly budget of provider cost, exact to the micro-dollar; a budget of zero allows no call that
     * costs anything. A plan has no cost budget until this is called.
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
     * Allows these paid models (adding to those allowed so far); with none, every model is allowed.
     *
     * @param models the model ids
     * @return this builder
     * @throws NullPointerException     if a model is null
     * @throws IllegalArgumentException if a model id is empty or too long
     */
    public Builder allowModels(String... models) {
      for (String m : models) {
        allowedModels.add(requireModel(m));
      }
      return this;
    }

    /**
     * Makes these models free: allowed, drawing on the free pool only.
     *
     * @param models the model ids
     * @return this builder
     * @throws NullPointerException     if a model is null
     * @throws IllegalArgumentException if a model id is empty or too long
     */
    public Builder freeModels(String... models) {
      for (String m : models) {
        freeModels.add(requireModel(m));
      }
      return this;
    }

    /**
     * Allows files of at most {@code bytes}: the same as {@code maxFileSize(Allowance.of(bytes))}.
     *
     * @param bytes the largest file size, zero or more; zero allows only empty files
     * @return this builder
     * @throws IllegalArgumentException if {@code bytes} is negative
     */
    public Builder maxFileSize(long bytes) {
      Require.argument(bytes >= 0, "maxFileSize must be 0 or more bytes, got %s; for no limit use "
          + "Allowance.unlimited()", bytes);
      return maxFileSize(Allowance.of(bytes));
    }

    /**
     * Sets the largest file allowed, in bytes (default {@link Allowance#unlimited()}).
     *
     * @param bytes the largest file size (zero allows only empty files), or {@link Allowance#unlimited()}
     * @return this builder
     * @throws NullPointerException if {@code bytes} is null
     */
    public Builder maxFileSize(Allowance bytes) {
      this.maxFileSize = Objects.requireNonNull(bytes, "bytes");
      return this;
    }

    /**
     * Allows only files with these extensions ({@code "pdf"} or {@code ".pdf"}, any case).
     *
     * @param extensions the extensions
     * @return this builder
     * @throws NullPointerException     if an extension is null
     * @throws IllegalArgumentException if an extension is empty
     */
    public Builder allowExtensions(String... extensions) {
      for (String e : extensions) {
        Objects.requireNonNull(e, "extension");
        String n = (e.startsWith(".") ? e.substring(1) : e).toLowerCase(Locale.ROOT);
        Require.argument(!n.isEmpty(), "file extension must not be empty, got '%s'", e);
        allowedExtensions.add(n);
      }
      return this;
    }

    /**
     * Starts the subscription at {@code from} (inclusive).
     *
     * @param from the first instant of the subscription
     * @return this builder
     * @throws NullPointerException if {@code from} is null
     */
    public Builder activeFrom(Instant from) {
      this.activeFrom = Objects.requireNonNull(from, "from");
      return this;
    }

    /**
     * Ends the subscription at {@code until} (exclusive).
     *
     * @param until the first instant after the subscription
     * @return this builder
     * @throws NullPointerException if {@code until} is null
     */
    public Builder activeUntil(Instant until) {
      this.activeUntil = Objects.requireNonNull(until, "until");
      return this;
    }

    /**
     * Builds the plan.
     *
     * @return the plan
     * @throws IllegalArgumentException if the subscription ends before it starts
     */
    public Plan build() {
      Require.argument(activeFrom == null || activeUntil == null || activeUntil.isAfter(activeFrom),
          "subscription must end after it starts, got %s to %s", activeFrom, activeUntil);
      return new Plan(this);
    }

    private static String requireModel(String model) {
      Objects.requireNonNull(model, "model");
      Require.argument(!model.isEmpty() && model.length() <= MAX_MODEL_LENGTH,
          "model id must have 1 to %s characters, got '%s'", MAX_MODEL_LENGTH, model);
      return model;
    }
  }
}
