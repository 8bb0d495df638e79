/**
 * Subscription plans of an AI-chat backend on top of limits-core: a {@link dev.limits.plans.Plan} compiles to
 * {@link dev.limits.LimitPolicy} objects, and an {@link dev.limits.plans.AiGate} checks, reserves and settles
 * each AI call, upload and discount-code redemption in the order of the product the limits come from.
 */
package dev.limits.plans;
