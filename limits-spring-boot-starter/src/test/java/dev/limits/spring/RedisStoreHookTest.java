package dev.limits.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.limits.redis.RedisUsageCounter;
import dev.limits.spi.UsageCounter;
import io.lettuce.core.RedisClient;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The hook for limits-redis: with its store on the class path and a Lettuce client bean, the store is the Redis
 * one, ahead of a DataSource; without the store class, or without a client, it is not. (The store here is a
 * stand-in with limits-redis's entry point until that module lands.)
 */
class RedisStoreHookTest {

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(LimitsAutoConfiguration.class));

  @Test
  void aLettuceClientWithLimitsRedisOnTheClassPathGetsTheRedisStore() {
    runner.withUserConfiguration(Lettuce.class, H2.class).run(context -> {
      assertThat(context).hasNotFailed();
      UsageCounter store = context.getBean(UsageCounter.class);
      assertThat(store).isInstanceOf(RedisUsageCounter.class);
      assertThat(((RedisUsageCounter) store).client()).isSameAs(context.getBean(RedisClient.class));
    });
  }

  @Test
  void withoutLimitsRedisTheDataSourceIsUsed() {
    runner.withUserConfiguration(Lettuce.class, H2.class)
        .withClassLoader(new FilteredClassLoader(RedisUsageCounter.class))
        .run(context -> assertThat(context.getBean(UsageCounter.class)).isNotInstanceOf(RedisUsageCounter.class)
            .isInstanceOf(dev.limits.jdbc.JdbcUsageCounter.class));
  }

  @Test
  void withoutALettuceClientLimitsRedisIsNotUsed() {
    runner.run(context -> assertThat(context.getBean(UsageCounter.class)).isNotInstanceOf(RedisUsageCounter.class));
  }

  @Configuration(proxyBeanMethods = false)
  static class Lettuce {
    @Bean(destroyMethod = "shutdown")
    RedisClient redisClient() {
      return RedisClient.create("redis://127.0.0.1:6379"); // connects only when asked to, which no test does
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class H2 {
    @Bean
    DataSource dataSource() {
      JdbcDataSource h2 = new JdbcDataSource();
      h2.setURL("jdbc:h2:mem:redis-hook-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
      return h2;
    }
  }
}
