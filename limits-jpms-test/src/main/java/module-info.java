/** An application module that uses limits-core, and limits-jdbc, through their exported APIs only. */
module dev.limits.it.jpms {
  requires transitive dev.limits.core;
  requires dev.limits.jdbc;
  requires static org.jspecify;

  exports dev.limits.it.jpms;
}
