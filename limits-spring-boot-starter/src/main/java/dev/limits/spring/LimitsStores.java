package dev.limits.spring;

import dev.limits.UsageCounters;
import dev.limits.jdbc.JdbcUsageCounter;
import dev.limits.spi.UsageCounter;
import dev.limits.spring.internal.RedisStoreFactory;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The stores {@link LimitsAutoConfiguration} chooses from, imported in order of preference: the first whose
 * conditions hold defines the {@link UsageCounter}, unless the application has one.
 */
final class LimitsStores {

  private static final Logger LOG = LoggerFactory.getLogger(LimitsAutoConfiguration.class);

  private LimitsStores() {}

  /** The Redis store of limits-redis, when it is on the class path and the application has a Lettuce client. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = RedisStoreFactory.STORE_CLASS)
  @ConditionalOnBean(type = RedisStoreFactory.CLIENT_CLASS)
  static class Redis {

    @Bean
    @ConditionalOnMissingBean
    UsageCounter limitsUsageCounter(BeanFactory beans) {
      return RedisStoreFactory.create(beans);
    }
  }

  /** The JDBC store in the application's data source. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnSingleCandidate(DataSource.class)
  static class Jdbc {

    @Bean
    @ConditionalOnMissingBean
    UsageCounter limitsUsageCounter(DataSource dataSource, LimitsProperties properties) {
      return JdbcUsageCounter.builder(dataSource)
          .tablePrefix(properties.jdbc().tablePrefix())
          .createSchemaIfMissing(properties.jdbc().createSchema())
          .build();
    }
  }

  /** Counters in memory, for one instance of the application. */
  @Configuration(proxyBeanMethods = false)
  static class InMemory {

    @Bean
    @ConditionalOnMissingBean
    UsageCounter limitsUsageCounter() {
      LOG.warn("limits counts in memory: no single DataSource nor a Redis client was found, so each instance of the"
          + " application counts on its own and its counts are lost at restart; declare a DataSource (or a"
          + " UsageCounter bean) to share them");
      return UsageCounters.inMemory();
    }
  }
}
