package dev.limits.jdbc;

import dev.limits.spi.UsageCounter;
import dev.limits.testkit.UsageCounterContract;
import javax.sql.DataSource;

/** The contract suite against MariaDb ({@link Databases#mariaDbPool()}). */
class MariaDbUsageCounterTest extends UsageCounterContract {

  private static final DataSource DATA_SOURCE = Databases.mariaDbPool();
  private static final JdbcUsageCounter COUNTER =
      JdbcUsageCounter.builder(DATA_SOURCE).createSchemaIfMissing(true).build();

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
