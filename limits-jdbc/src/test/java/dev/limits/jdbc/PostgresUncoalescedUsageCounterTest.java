package dev.limits.jdbc;

import dev.limits.spi.UsageCounter;
import dev.limits.testkit.UsageCounterContract;
import javax.sql.DataSource;

/** The contract suite against Postgres with concurrent consumes sent one statement each, as before coalescing. */
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
