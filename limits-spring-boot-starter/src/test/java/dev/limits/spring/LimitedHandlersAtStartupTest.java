package dev.limits.spring;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.webmvc.autoconfigure.DispatcherServletAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/** A @Limited handler that names an unknown policy or metric fails startup, each problem named. */
class LimitedHandlersAtStartupTest {

  private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(LimitsAutoConfiguration.class, LimitsWebAutoConfiguration.class,
          DispatcherServletAutoConfiguration.class, WebMvcAutoConfiguration.class))
      .withPropertyValues("limits.policies.free.quotas.messages.hour=3");

  @Test
  void aValidHandlerStartsWithTheInterceptorAndTheDefaultSubjectResolver() {
    runner.withUserConfiguration(Valid.class).run(context -> {
      assertThat(context).hasNotFailed().hasSingleBean(SubjectResolver.class);
      assertThat(context.getBean(SubjectResolver.class).getClass().getSimpleName())
          .isEqualTo("DefaultSubjectResolver");
    });
  }

  @Test
  void unknownPoliciesAndMetricsFailStartup() {
    runner.withUserConfiguration(Invalid.class).run(context -> {
      assertThat(context).hasFailed();
      String message = context.getStartupFailure().getMessage();
      assertThat(message).contains("names the policy 'pro', which limits.policies does not declare")
          .contains("'tokens=5' names no metric of policy 'free'")
          .contains("'messages=one' is not metric=amount");
    });
  }

  @Test
  void theApplicationsSubjectResolverWins() {
    runner.withUserConfiguration(Valid.class, OwnResolver.class).run(context ->
        assertThat(context.getBean(SubjectResolver.class)).isSameAs(OwnResolver.RESOLVER));
  }

  @Configuration(proxyBeanMethods = false)
  static class Valid {
    @Bean
    ValidController controller() {
      return new ValidController();
    }
  }

  @RestController
  static class ValidController {
    @PostMapping("/chat")
    @Limited(policy = "free", amounts = "messages=1")
    String chat() {
      return "ok";
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class Invalid {
    @Bean
    InvalidController controller() {
      return new InvalidController();
    }
  }

  @RestController
  static class InvalidController {
    @PostMapping("/pro")
    @Limited(policy = "pro", amounts = "messages=1")
    String pro() {
      return "ok";
    }

    @PostMapping("/tokens")
    @Limited(policy = "free", amounts = {"tokens=5", "messages=one"})
    String tokens() {
      return "ok";
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnResolver {
    static final SubjectResolver RESOLVER = request -> request.getHeader("X-Organisation");

    @Bean
    SubjectResolver organisations() {
      return RESOLVER;
    }
  }
}
