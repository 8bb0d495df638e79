package dev.limits.plans.jdbc;

import javax.sql.DataSource;

/** The plan tables on an embedded PostgreSQL, created from the shipped postgresql.sql. */
class PostgresPlanStoreTest extends PlanStoreContract {

  @Override
  DataSource dataSource() {
    return Databases.postgres();
  }
}
