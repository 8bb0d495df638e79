package dev.limits.micrometer;

import dev.limits.Amounts;
import dev.limits.Decision;
import dev.limits.Denial;
import dev.limits.LimitListener;
import dev.limits.LimitPolicy;
import dev.limits.LimitRequest;
import dev.limits.Metric;
import dev.limits.Warning;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Counts what a {@link dev.limits.Limiter} decides, as Micrometer counters; register it as the limiter's
 * listener:
 *
 * <pre>{@code
 * Limiter limiter = Limiter.builder(TimedUsageCounter.wrap(counter, registry))
 *     .listener(LimitsMetrics.of(registry))
 *     .build();
 * }</pre>
 *
 * <p>The meters, none of them tagged with the subject (see the package's documentation):
 * <ul>
 *   <li>{@value #DECISIONS}: every decision of {@code consume}, {@code tryConsume} and {@code acquire}
 *       ({@code check} counts nothing, so it is not counted either), tagged {@code policy}, {@code outcome}
 *       ({@code allowed}, {@code forbidden}, {@code quota_exceeded}, {@code unavailable}) and {@code quota}:
 *       the id of the quota or access rule that denied first, {@code storage} for an unreachable store, or
 *       {@code none} when allowed. An AI-chat backend reads its 429s per quota from it: how often the hourly
 *       message limit bites, against the monthly token budget;</li>
 *   <li>{@value #WARNINGS}: an allowed request that brought a quota past the warning threshold, tagged
 *       {@code policy} and {@code quota};</li>
 *   <li>{@value #COMMITS}: reservations committed, tagged {@code policy};</li>
 *   <li>{@value #OVERRUNS}: commits that used more of a metric than was reserved (an AI call that wrote more
 *       tokens than estimated), tagged {@code policy} and {@code metric}.</li>
 * </ul>
 *
 * <p>Thread-safe; its methods never throw on their own (and a limiter swallows what a listener throws).
 */
public final class LimitsMetrics implements LimitListener {

  /** The name of the counter of decisions. */
  public static final String DECISIONS = "limits.decisions";
  /** The name of the counter of warnings. */
  public static final String WARNINGS = "limits.warnings";
  /** The name of the counter of committed reservations. */
  public static final String COMMITS = "limits.commits";
  /** The name of the counter of commits that used more than was reserved. */
  public static final String OVERRUNS = "limits.commit.overruns";

  private final Meter.MeterProvider<Counter> decisions;
  private final Meter.MeterProvider<Counter> warnings;
  private final Meter.MeterProvider<Counter> commits;
  private final Meter.MeterProvider<Counter> overruns;

  private LimitsMetrics(MeterRegistry registry) {
    this.decisions = Counter.builder(DECISIONS).description("Decisions of a limiter, by outcome and deciding quota")
        .withRegistry(registry);
    this.warnings = Counter.builder(WARNINGS).description("Allowed requests that brought a quota past the warning"
        + " threshold").withRegistry(registry);
    this.commits = Counter.builder(COMMITS).description("Reservations committed").withRegistry(registry);
    this.overruns = Counter.builder(OVERRUNS).description("Commits that used more of a metric than reserved")
        .withRegistry(registry);
  }

  /**
   * Creates the listener, registering its meters in {@code registry} as they are first used.
   *
   * @param registry where the meters go
   * @return the listener
   * @throws NullPointerException if {@code registry} is null
   */
  public static LimitsMetrics of(MeterRegistry registry) {
    return new LimitsMetrics(Objects.requireNonNull(registry, "registry"));
  }

  @Override
  public void onAllowed(LimitPolicy policy, LimitRequest request, Decision decision) {
    count(policy, decision);
  }

  @Override
  public void onDenied(LimitPolicy policy, LimitRequest request, Decision decision) {
    count(policy, decision);
  }

  private void count(LimitPolicy policy, Decision decision) {
    String quota = decision.denial().map(Denial::ruleId).orElse("none");
    decisions.withTags("policy", policy.name(), "outcome", decision.outcome().name().toLowerCase(Locale.ROOT),
        "quota", quota).increment();
  }

  @Override
  public void onWarning(LimitPolicy policy, LimitRequest request, Warning warning) {
    warnings.withTags("policy", policy.name(), "quota", warning.usage().quota().id()).increment();
  }

  @Override
  public void onCommitted(LimitPolicy policy, LimitRequest request, Amounts actual) {
    commits.withTags("policy", policy.name()).increment();
    Amounts reserved = request.amounts();
    for (Map.Entry<Metric, Long> e : actual.asMap().entrySet()) {
      if (e.getValue() > reserved.get(e.getKey()).orElse(0)) {
        overruns.withTags("policy", policy.name(), "metric", e.getKey().name()).increment();
      }
    }
  }

  @Override
  public String toString() {
    return "LimitsMetrics";
  }
}
