/**
 * An application module that uses limits-core, limits-jdbc and limits-plans through their exported APIs only.
 */
module dev.limits.it.jpms {
  requires transitive dev.limits.core;
  requires dev.limits.jdbc;
  requires dev.limits.plans;
  requires static org.jspecify;

  exports dev.limits.it.jpms;
}
