package dev.limits.spring;

import dev.limits.Limiter;
import dev.limits.PeriodClock;
import dev.limits.spi.UsageCounter;
import dev.limits.spring.internal.LimitsEndpoint;
import dev.limits.spring.internal.LimitsStoreHealthIndicator;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * With Spring Boot Actuator: the {@code limits} endpoint (the loaded policies, a subject's usage), which like
 * every endpoint but {@code health} is exposed over the web only if the application includes it in
 * {@code management.endpoints.web.exposure.include}; and the {@code limits} health indicator, which checks that
 * the store answers.
 */
@AutoConfiguration(after = LimitsAutoConfiguration.class)
@ConditionalOnClass(Endpoint.class)
@ConditionalOnBean(Limiter.class)
public class LimitsActuatorAutoConfiguration {

  /** Creates the configuration; Spring Boot does. */
  public LimitsActuatorAutoConfiguration() {}

  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnAvailableEndpoint
  LimitsEndpoint limitsEndpoint(Limiter limiter, LimitPolicies policies) {
    return new LimitsEndpoint(limiter, policies);
  }

  /** The store's health indicator. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(HealthIndicator.class)
  @ConditionalOnEnabledHealthIndicator("limits")
  static class Health {

    @Bean
    @ConditionalOnMissingBean(name = "limitsHealthIndicator")
    HealthIndicator limitsHealthIndicator(UsageCounter store, PeriodClock clock) {
      return new LimitsStoreHealthIndicator(store, clock);
    }
  }
}
