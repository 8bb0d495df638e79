package dev.limits.plans.jdbc;

import javax.sql.DataSource;

/** The plan tables on embedded H2, created from the shipped h2.sql. */
class H2PlanStoreTest extends PlanStoreContract {

  private static final DataSource DATA_SOURCE = Databases.h2("plans");

  @Override
  DataSource dataSource() {
    return DATA_SOURCE;
  }
}
