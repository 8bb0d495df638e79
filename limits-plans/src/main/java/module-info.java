/**
 * limits-plans: subscription plans of an AI-chat backend compiled to limits policies, the {@link
 * dev.limits.plans.AiGate} around each AI call, and the mapping of decisions to HTTP header fields.
 *
 * <p>Exports its API, {@code dev.limits.plans}, only: {@code dev.limits.plans.internal} (the reading of admin
 * settings, the compilation of plans to policies, shared helpers) is not exported. Its API takes and returns
 * types of limits-core, so a module that requires this one reads limits-core too. Needs slf4j-api at run time;
 * the JSpecify annotations are read at compile time only.
 */
module dev.limits.plans {
  requires transitive dev.limits.core;
  requires org.slf4j;
  requires static org.jspecify;

  exports dev.limits.plans;
}
