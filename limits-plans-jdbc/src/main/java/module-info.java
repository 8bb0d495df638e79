/**
 * Admin-editable plans and messages in database tables: a plain JDBC loader with refresh, and JPA mappings
 * for hosts that administer plans through JPA.
 */
module dev.limits.plans.jdbc {
  requires transitive dev.limits.plans;
  requires transitive java.sql;
  requires org.slf4j;
  requires static jakarta.persistence;
  requires static org.jspecify;

  exports dev.limits.plans.jdbc;
  exports dev.limits.plans.jdbc.jpa;
  // JPA providers set the entities' fields by reflection; they usually sit on the class path.
  opens dev.limits.plans.jdbc.jpa;
}
