package dev.limits.jdbc;

import dev.limits.spi.UsageCounter;
import dev.limits.testkit.UsageCounterContract;
import javax.sql.DataSource;

/** The contract suite against Postgres with each consume sent alone (the default). */
class PostgresUncoalescedUsageCounterTest extends UsageCounterContract {

  private static final DataSource DATA_SOURCE = Databases.postgresPool();
  private static final JdbcUsageCounter COUNTER = JdbcUsageCounter.builder(DATA_SOURCE).tablePrefix("alone_")
      .coalesceConsumes(false).createSchemaIfMissing(true).build();

  @Override
  protected UsageCounter createCounter() {
    Databases.truncate(DATA_SOURCE, COUNTER.tablePrefix());
    return COUNTER;
  }

  @Override
  protected int operationsPerThread() {
    return 150;
  }
}
