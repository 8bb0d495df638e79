package dev.limits.spring;

import dev.limits.UsageCounters;
import static org.assertj.core.api.Assertions.assertThat;

import dev.limits.Decision;
import dev.limits.LimitPolicy;
import dev.limits.LimitRequest;
import dev.limits.Limiter;
import dev.limits.Metric;
import dev.limits.PeriodClock;
import dev.limits.jdbc.JdbcUsageCounter;
import dev.limits.micrometer.LimitsMetrics;
import dev.limits.micrometer.TimedUsageCounter;
import dev.limits.spi.UsageCounter;
import dev.limits.spring.internal.InvalidLimitsPropertiesFailureAnalyzer;
import dev.limits.testkit.FakeClock;
import dev.limits.testkit.UnavailableUsageCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.ZoneId;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Which beans the auto-configuration makes from what the application has, and how it fails on bad YAML. */
@ExtendWith(OutputCaptureExtension.class)
class LimitsAutoConfigurationTest {

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(LimitsAutoConfiguration.class))
      .withPropertyValues(
          "limits.policies.free.zone=Asia/Tehran",
          "limits.policies.free.week-start=saturday",
          "limits.policies.free.quotas.messages.hour=3",
          "limits.policies.free.quotas.messages.week=50",
          "limits.policies.free.quotas.tokens.day=3000",
          "limits.policies.free.units.tokens=tokens",
          "limits.policies.free.models=openai/gpt-4o-mini,meta/llama-3");

  @Test
  void withNothingElseCountsInMemoryAndWarnsThatCountsArePerInstance(CapturedOutput output) {
    runner.run(context -> {
      assertThat(context).hasNotFailed().hasSingleBean(Limiter.class).hasSingleBean(UsageCounter.class);
      assertThat(context.getBean(UsageCounter.class).getClass()).isEqualTo(UsageCounters.inMemory().getClass());
      assertThat(output).contains("limits counts in memory").contains("each instance of the application counts");
    });
  }

  @Test
  void readsThePoliciesFromTheProperties() {
    runner.run(context -> {
      LimitPolicy free = context.getBean(LimitPolicies.class).get("free");
      assertThat(free.zone()).isEqualTo(ZoneId.of("Asia/Tehran"));
      assertThat(free.quotas()).extracting(q -> q.id() + "=" + q.limit())
          .containsExactly("messages-hour=3", "messages-week-sat=50", "tokens-day=3000");
      assertThat(free.metrics().get("tokens")).isEqualTo(Metric.tokens("tokens"));
      assertThat(free.rules()).hasSize(1);
      Limiter limiter = context.getBean(Limiter.class);
      LimitRequest other = LimitRequest.of("ali").model("openai/gpt-5").amount(free.metrics().get("messages"), 1);
      Decision denied = limiter.consume(free, other);
      assertThat(denied.httpStatus()).isEqualTo(403);
      assertThat(denied.message(Locale.ENGLISH).orElseThrow()).contains("openai/gpt-5");
    });
  }

  @Test
  void aDataSourceGetsTheJdbcStoreWithItsTablesCreated() {
    runner.withUserConfiguration(H2Config.class).run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context.getBean(UsageCounter.class)).isInstanceOf(JdbcUsageCounter.class);
      LimitPolicy free = context.getBean(LimitPolicies.class).get("free");
      Limiter limiter = context.getBean(Limiter.class);
      Metric messages = free.metrics().get("messages");
      for (int i = 0; i < 3; i++) {
        assertThat(limiter.consume(free, LimitRequest.of("sara").amount(messages, 1)).isAllowed()).isTrue();
      }
      assertThat(limiter.consume(free, LimitRequest.of("sara").amount(messages, 1)).httpStatus()).isEqualTo(429);
    });
  }

  @Test
  void theApplicationsOwnBeansWin() {
    runner.withUserConfiguration(H2Config.class, OwnBeans.class).run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context.getBean(UsageCounter.class)).isSameAs(OwnBeans.STORE);
      assertThat(context.getBean(PeriodClock.class)).isSameAs(OwnBeans.CLOCK);
    });
    runner.withUserConfiguration(OwnLimiter.class).run(context ->
        assertThat(context.getBean(Limiter.class)).isSameAs(OwnLimiter.LIMITER));
  }

  @Test
  void purgesOnAThreadOfItsOwnThatStopsWithTheApplication() {
    AtomicReference<ScheduledThreadPoolExecutor> executor = new AtomicReference<>();
    runner.withPropertyValues("limits.purge-interval=30s").run(context -> {
      executor.set((ScheduledThreadPoolExecutor) context.getBean("limitsPurgeExecutor", ScheduledExecutorService.class));
      assertThat(executor.get().getQueue()).hasSize(1);
      ScheduledFuture<?> run = (ScheduledFuture<?>) executor.get().getQueue().peek();
      assertThat(run.getDelay(TimeUnit.SECONDS)).isBetween(1L, 30L);
    });
    assertThat(executor.get().isShutdown()).isTrue();
  }

  @Test
  void failOpenAllowsRequestsWhileTheStoreIsDown() {
    runner.withUserConfiguration(StoreDown.class).withPropertyValues("limits.fail-open=true").run(context -> {
      LimitPolicy free = context.getBean(LimitPolicies.class).get("free");
      Decision decision = context.getBean(Limiter.class)
          .consume(free, LimitRequest.of("ali").amount(free.metrics().get("messages"), 1));
      assertThat(decision.isAllowed()).isTrue();
    });
    runner.withUserConfiguration(StoreDown.class).run(context -> {
      LimitPolicy free = context.getBean(LimitPolicies.class).get("free");
      assertThat(context.getBean(Limiter.class)
          .consume(free, LimitRequest.of("ali").amount(free.metrics().get("messages"), 1)).httpStatus())
          .isEqualTo(503);
    });
  }

  @Test
  void aMeterRegistryCountsDecisionsAndTimesADatabaseStore() {
    runner.withUserConfiguration(H2Config.class, Registry.class).run(context -> {
      MeterRegistry registry = context.getBean(MeterRegistry.class);
      LimitPolicy free = context.getBean(LimitPolicies.class).get("free");
      context.getBean(Limiter.class).consume(free, LimitRequest.of("reza").amount(free.metrics().get("messages"), 1));
      assertThat(registry.get(LimitsMetrics.DECISIONS).tag("policy", "free").tag("outcome", "allowed").counter()
          .count()).isEqualTo(1.0);
      assertThat(registry.get(TimedUsageCounter.STORE).timers()).isNotEmpty();
    });
  }

  @Test
  void badValuesFailStartupNamingEveryBadKey() {
    runner.withPropertyValues(
            "limits.policies.free.zone=Asia/Tehrn",
            "limits.policies.free.quotas.messages.hourr=3",
            "limits.policies.free.quotas.tokens.day=lots",
            "limits.policies.free.units.tokens=tokenz",
            "limits.policies.pro.quotas.messages.day=-1",
            "limits.warning-threshold=1.5",
            "limits.messages.fa.quota=")
        .run(context -> {
          assertThat(context).hasFailed();
          Throwable failure = context.getStartupFailure();
          InvalidLimitsPropertiesException invalid = findCause(failure, InvalidLimitsPropertiesException.class);
          assertThat(invalid.problems()).hasSize(7);
          assertThat(invalid.getMessage()).contains(
              "limits.policies.free.zone: invalid zone id 'Asia/Tehrn'",
              "limits.policies.free.quotas.messages.hourr: unknown window 'hourr'",
              "limits.policies.free.quotas.tokens.day: 'lots' is not a whole number",
              "limits.policies.free.units.tokens: unknown unit 'tokenz'",
              "limits.policies.pro.quotas.messages.day: a limit must be zero or more, got -1",
              "limits.warning-threshold: warning threshold must be in (0, 1], got 1.5",
              "limits.messages.fa.quota:");
        });
  }

  @Test
  void startupFailureIsReportedAsTheKeysToFix() {
    runner.withPropertyValues("limits.policies.free.quotas.messages.hour=many").run(context -> {
      InvalidLimitsPropertiesException invalid = findCause(context.getStartupFailure(),
          InvalidLimitsPropertiesException.class);
      FailureAnalysis analysis = new InvalidLimitsPropertiesFailureAnalyzer().analyze(context.getStartupFailure());
      assertThat(analysis.getDescription()).isEqualTo(invalid.getMessage())
          .contains("limits.policies.free.quotas.messages.hour: 'many' is not a whole number");
      assertThat(analysis.getAction()).contains("limits.*");
    });
  }

  @Test
  void unknownKeysFailStartupNamingEachOne() {
    runner.withPropertyValues("limits.policies.free.quotass.messages.day=3", "limits.fail-opn=true")
        .run(context -> {
          assertThat(context).hasFailed();
          BindException bind = findCause(context.getStartupFailure(), BindException.class);
          String all = messages(bind);
          assertThat(all).contains("limits.policies.free.quotass.messages.day").contains("limits.fail-opn");
        });
  }

  @Test
  void theConfigurationMetadataLetsAnIdeCompleteTheKeys() throws Exception {
    try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
      String metadata = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      assertThat(metadata).contains("\"limits.policies\"", "\"limits.fail-open\"", "\"limits.warning-threshold\"",
          "\"limits.reservation-ttl\"", "\"limits.purge-interval\"", "\"limits.messages\"",
          "\"limits.jdbc.create-schema\"", "\"limits.web.anonymous\"", "\"limits.web.idempotency-key-header\"");
    }
  }

  private static String messages(Throwable t) {
    StringBuilder b = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      b.append(c.getMessage()).append('\n');
    }
    return b.toString();
  }

  private static <T extends Throwable> T findCause(Throwable t, Class<T> type) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (type.isInstance(c)) {
        return type.cast(c);
      }
    }
    throw new AssertionError("no " + type.getSimpleName() + " in " + messages(t));
  }

  @Configuration(proxyBeanMethods = false)
  static class H2Config {
    @Bean
    DataSource dataSource() {
      JdbcDataSource h2 = new JdbcDataSource();
      h2.setURL("jdbc:h2:mem:autoconfig-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
      return h2;
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnBeans {
    static final UsageCounter STORE = UsageCounters.inMemory();
    static final FakeClock CLOCK = FakeClock.at("2026-12-06T10:00:00Z");

    @Bean
    UsageCounter myStore() {
      return STORE;
    }

    @Bean
    PeriodClock myClock() {
      return CLOCK;
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnLimiter {
    static final Limiter LIMITER = Limiter.builder(UsageCounters.inMemory()).build();

    @Bean
    Limiter myLimiter() {
      return LIMITER;
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class StoreDown {
    @Bean
    UsageCounter down() {
      return new UnavailableUsageCounter("the counters' database is down");
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class Registry {
    @Bean
    MeterRegistry registry() {
      return new SimpleMeterRegistry();
    }
  }

}
