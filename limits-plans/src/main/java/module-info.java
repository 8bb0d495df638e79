/**
 * limits-plans: subscription plans of an AI-chat backend compiled to limits policies, the {@link
 * dev.limits.plans.AiGate} around each AI call, and the mapping of decisions to HTTP header fields.
 *
 * <p>Its API takes and returns types of limits-core, so a module that requires this one reads limits-core
 * too. Needs slf4j-api at run time; the JSpecify annotations are read at compile time only.
 */
module dev.limits.plans {
  requires transitive dev.limits.core;
  requires org.slf4j;
  requires static org.jspecify;

  exports dev.limits.plans;
}
