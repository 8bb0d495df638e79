package dev.limits.jdbc;

import dev.limits.spi.UsageCounter;
import dev.limits.testkit.UsageCounterContract;
import javax.sql.DataSource;

/** The contract suite against H2 ({@link Databases#h2Pool()}). */
class H2UsageCounterTest extends UsageCounterContract {

  private static final DataSource DATA_SOURCE = Databases.h2Pool();
  private static final JdbcUsageCounter COUNTER =
      JdbcUsageCounter.builder(DATA_SOURCE).createSchemaIfMissing(true).build();

  @Override
  protected UsageCounter createCounter() {
    Databases.truncate(DATA_SOURCE, COUNTER.tablePrefix());
    return COUNTER;
  }

  @Override
  protected java.time.Duration concurrencyTimeout() {
    return java.time.Duration.ofSeconds(40);
  }

  @Override
  protected int operationsPerThread() {
    return 150;
  }
}
