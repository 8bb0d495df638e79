/**
 * limits-jdbc: a {@link dev.limits.spi.UsageCounter} on PostgreSQL, H2, MariaDB and MySQL through plain
 * JDBC.
 *
 * <p>Exports {@code dev.limits.jdbc} only. {@code dev.limits.jdbc.internal} is not exported, but it is open
 * at run time: H2 looks up and calls {@code H2Consume.consume} by name, by reflection, from whichever module
 * (or the class path) it is loaded in. The JSpecify annotations are read at compile time only.
 */
module dev.limits.jdbc {
  requires transitive dev.limits.core;
  requires transitive java.sql;
  requires org.slf4j;
  requires static org.jspecify;

  exports dev.limits.jdbc;
  opens dev.limits.jdbc.internal;
}
