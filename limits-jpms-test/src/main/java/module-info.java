/** An application module that uses limits-core through its exported API only. */
module dev.limits.it.jpms {
  requires transitive dev.limits.core;
  requires static org.jspecify;

  exports dev.limits.it.jpms;
}
