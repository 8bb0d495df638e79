/**
 * Micrometer meters for limits: bind {@link dev.limits.micrometer.LimitsMetrics} to a limiter as a listener,
 * and wrap its store in a {@link dev.limits.micrometer.TimedUsageCounter}.
 *
 * <p>No meter is ever tagged with a subject (a user, an organisation, an API key): subjects are unbounded, and
 * a tag per user would grow a registry without end. Tags are the policy's name, the quota or rule id, the
 * outcome and the metric, all of which a host declares up front.
 */
@NullMarked
package dev.limits.micrometer;

import org.jspecify.annotations.NullMarked;
