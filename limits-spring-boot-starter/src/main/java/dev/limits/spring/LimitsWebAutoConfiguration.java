package dev.limits.spring;

import dev.limits.Limiter;
import dev.limits.spring.internal.DefaultSubjectResolver;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * Limits the Spring MVC handlers marked {@link Limited}: registers the interceptor that reserves, commits and
 * answers denials, the {@link LimitedCall} handler parameter, the default {@link SubjectResolver} and the
 * default {@link PolicyResolver} (the handler's own policy). At
 * startup every {@link Limited} handler is checked: one that names an unknown policy or metric fails it.
 */
@AutoConfiguration(after = LimitsAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(WebMvcConfigurer.class)
@ConditionalOnBean(Limiter.class)
public class LimitsWebAutoConfiguration {

  /** Creates the configuration; Spring Boot does. */
  public LimitsWebAutoConfiguration() {}

  @Bean
  @ConditionalOnMissingBean
  SubjectResolver limitsSubjectResolver(LimitsProperties properties) {
    return new DefaultSubjectResolver(properties.web());
  }

  @Bean
  @ConditionalOnMissingBean
  PolicyResolver limitsPolicyResolver() {
    return (request, subject, declared) -> declared;
  }

  @Bean
  LimitsWebMvcConfigurer limitsWebMvcConfigurer(Limiter limiter, LimitPolicies policies, SubjectResolver subjects,
      PolicyResolver plans, LimitsProperties properties, ListableBeanFactory beans) {
    return new LimitsWebMvcConfigurer(new LimitsInterceptor(limiter, policies, subjects, plans,
        properties.web().idempotencyKeyHeader()), beans);
  }

  /** Registers the interceptor and the argument resolver; checks every limited handler at startup. */
  static final class LimitsWebMvcConfigurer implements WebMvcConfigurer, SmartInitializingSingleton {

    private final LimitsInterceptor interceptor;
    private final ListableBeanFactory beans;

    LimitsWebMvcConfigurer(LimitsInterceptor interceptor, ListableBeanFactory beans) {
      this.interceptor = interceptor;
      this.beans = beans;
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
      registry.addInterceptor(interceptor);
    }

    @Override
    public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
      resolvers.add(new LimitedCallArgumentResolver());
    }

    @Override
    public void afterSingletonsInstantiated() {
      List<String> problems = new ArrayList<>();
      for (RequestMappingHandlerMapping mapping : beans.getBeansOfType(RequestMappingHandlerMapping.class)
          .values()) {
        for (HandlerMethod handler : mapping.getHandlerMethods().values()) {
          try {
            interceptor.target(handler);
          } catch (IllegalStateException e) {
            problems.add(e.getMessage());
          }
        }
      }
      if (!problems.isEmpty()) {
        throw new IllegalStateException(String.join("\n", problems));
      }
    }
  }
}
