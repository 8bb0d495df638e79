package dev.limits.spring;

import dev.limits.UsageCounters;
import dev.limits.LimitListener;
import dev.limits.Limiter;
import dev.limits.MessageCatalog;
import dev.limits.PeriodClock;
import dev.limits.micrometer.LimitsMetrics;
import dev.limits.micrometer.TimedUsageCounter;
import dev.limits.spi.UsageCounter;
import dev.limits.spring.internal.PropertiesCompiler;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * Auto-configures a {@link Limiter} from the {@code limits.*} properties ({@link LimitsProperties}) and what the
 * application has. Every bean gives way to one of the application's own of the same type.
 *
 * <ul>
 *   <li>the store ({@link UsageCounter}), the first that applies: limits-redis's store when it is on the class
 *       path and the application has a Lettuce {@code io.lettuce.core.RedisClient} bean; a
 *       {@link dev.limits.jdbc.JdbcUsageCounter} in the application's {@link javax.sql.DataSource}, creating its tables unless
 *       {@code limits.jdbc.create-schema=false}; otherwise counters in memory, logged at WARN at startup: each
 *       instance of the application then counts on its own;</li>
 *   <li>the policies ({@link LimitPolicies}) and the {@link MessageCatalog}, read from the properties, every bad
 *       value reported at once ({@link InvalidLimitsPropertiesException});</li>
 *   <li>the {@link PeriodClock} (the system clock; a test declares a {@code FakeClock} bean instead);</li>
 *   <li>the {@link Limiter}, with every {@link LimitListener} bean, with {@link LimitsMetrics} and its store timed
 *       by {@link TimedUsageCounter} (a store in memory is not timed) when there is a {@link MeterRegistry},
 *       purging every {@code limits.purge-interval} on a thread of its own.</li>
 * </ul>
 */
@AutoConfiguration(afterName = {
    "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
    "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
    "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration"})
@EnableConfigurationProperties(LimitsProperties.class)
@Import({LimitsStores.Redis.class, LimitsStores.Jdbc.class, LimitsStores.InMemory.class}) // in this order
public class LimitsAutoConfiguration {

  /** The class of the in-memory store, which is not worth timing: a timer would cost more than the store. */
  private static final Class<?> IN_MEMORY = UsageCounters.inMemory().getClass();

  /** Creates the configuration; Spring Boot does. */
  public LimitsAutoConfiguration() {}

  @Bean
  @ConditionalOnMissingBean
  PropertiesCompiler.Compiled limitsCompiledProperties(LimitsProperties properties) {
    return PropertiesCompiler.compile(properties);
  }

  @Bean
  @ConditionalOnMissingBean
  LimitPolicies limitPolicies(PropertiesCompiler.Compiled compiled) {
    return compiled.policies();
  }

  @Bean
  @ConditionalOnMissingBean
  MessageCatalog limitsMessageCatalog(PropertiesCompiler.Compiled compiled) {
    return compiled.messages();
  }

  @Bean
  @ConditionalOnMissingBean
  PeriodClock limitsClock() {
    return PeriodClock.system();
  }

  @Bean(name = "limitsPurgeExecutor", destroyMethod = "shutdownNow")
  @ConditionalOnMissingBean(name = "limitsPurgeExecutor")
  ScheduledExecutorService limitsPurgeExecutor() {
    return new ScheduledThreadPoolExecutor(1, task -> {
      Thread thread = new Thread(task, "limits-purge");
      thread.setDaemon(true);
      return thread;
    });
  }

  @Bean
  @ConditionalOnMissingBean
  Limiter limiter(UsageCounter counter, PeriodClock clock, MessageCatalog messages, LimitsProperties properties,
      ObjectProvider<MeterRegistry> registries, ObjectProvider<LimitListener> listeners,
      @Qualifier("limitsPurgeExecutor") ScheduledExecutorService purgeExecutor) {
    MeterRegistry registry = registries.getIfUnique();
    UsageCounter store = registry != null && !IN_MEMORY.isInstance(counter)
        ? TimedUsageCounter.wrap(counter, registry) : counter;
    Limiter.Builder builder = Limiter.builder(store)
        .clock(clock)
        .messages(messages)
        .failOpen(properties.failOpen())
        .warningThreshold(properties.warningThreshold())
        .reservationTtl(properties.reservationTtl())
        .purgeEvery(properties.purgeInterval(), purgeExecutor);
    if (registry != null) {
      builder.listener(LimitsMetrics.of(registry));
    }
    listeners.orderedStream().forEach(builder::listener);
    return builder.build();
  }
}
