/**
 * limits-micrometer: Micrometer meters for a {@link dev.limits.Limiter}: its decisions, warnings and commits
 * ({@link dev.limits.micrometer.LimitsMetrics}) and the latency of its store
 * ({@link dev.limits.micrometer.TimedUsageCounter}). Needs no Spring.
 */
module dev.limits.micrometer {
  requires transitive dev.limits.core;
  requires transitive micrometer.core;
  requires static org.jspecify;

  exports dev.limits.micrometer;
}
