package dev.limits.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.limits.LimitPolicy;
import dev.limits.LimitRequest;
import dev.limits.Limiter;
import dev.limits.Metric;
import dev.limits.Window;
import dev.limits.redis.RedisUsageCounter;
import dev.limits.spi.SlotUsage;
import dev.limits.spi.UsageCounter;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The hook for limits-redis: with its store on the class path and a Lettuce client bean, the store is the Redis
 * one, ahead of a DataSource, and counts in the server the client reaches; without the store class, or without a
 * client, it is not. Runs Debian's redis-server on a free port.
 */
class RedisStoreHookTest {

  private static Process server;
  private static int port;

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(LimitsAutoConfiguration.class));

  @BeforeAll
  static void startRedis() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path dir = Files.createTempDirectory("limits-redis-hook");
    try {
      server = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
          "--save", "", "--appendonly", "no", "--dir", dir.toString()).redirectErrorStream(true)
          .redirectOutput(dir.resolve("redis.log").toFile()).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start redis-server (apt-get install redis-server)", e);
    }
    RedisClient client = RedisClient.create("redis://127.0.0.1:" + port);
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    try {
      while (true) {
        try (StatefulRedisConnection<String, String> c = client.connect()) {
          if ("PONG".equals(c.sync().ping())) {
            return;
          }
        } catch (RuntimeException notYet) {
          if (System.nanoTime() > deadline) {
            throw notYet;
          }
          Thread.onSpinWait();
        }
      }
    } finally {
      client.shutdown();
    }
  }

  @AfterAll
  static void stopRedis() throws InterruptedException {
    server.destroy();
    server.waitFor();
  }

  @Test
  void aLettuceClientWithLimitsRedisOnTheClassPathGetsTheRedisStoreAndCountsInRedis() {
    runner.withUserConfiguration(Lettuce.class, H2.class).run(context -> {
      assertThat(context).hasNotFailed();
      UsageCounter store = context.getBean(UsageCounter.class);
      assertThat(store).isInstanceOf(RedisUsageCounter.class);

      Metric messages = Metric.count("messages");
      LimitPolicy policy = LimitPolicy.builder("hook").quota(messages, Window.hour(), 2).build();
      Limiter limiter = Limiter.builder(store).build();
      for (int i = 0; i < 3; i++) {
        limiter.consume(policy, LimitRequest.of("user-hook").amount(messages, 1));
      }
      try (RedisUsageCounter other = RedisUsageCounter.builder("redis://127.0.0.1:" + port).build()) {
        List<SlotUsage> cells = other.snapshot("user-hook", System.currentTimeMillis());
        assertThat(cells).singleElement().satisfies(c -> assertThat(c.used()).isEqualTo(2));
      }
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
      return RedisClient.create("redis://127.0.0.1:" + port);
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
