/**
 * Subscription plans of an AI-chat backend on top of limits-core: a {@link dev.limits.plans.Plan} compiles to
 * {@link dev.limits.LimitPolicy} objects, and an {@link dev.limits.plans.AiGate} checks, reserves and settles
 * each AI call, upload and discount-code redemption in the order of the product the limits come from.
 *
 * <p>Belongs here: what an AI-chat backend needs on top of limits-core (its plans, metrics, messages,
 * discount codes and upgrade rule, and the mapping of decisions to HTTP header fields), built on the public
 * API of limits-core only. Thread-safety is stated per type.
 *
 * <p>Nothing here accepts or returns null unless marked {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package dev.limits.plans;

import org.jspecify.annotations.NullMarked;
