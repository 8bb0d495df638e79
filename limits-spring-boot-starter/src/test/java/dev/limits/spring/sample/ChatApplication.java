package dev.limits.spring.sample;

import dev.limits.spring.LimitPolicies;
import dev.limits.spring.PolicyResolver;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/**
 * The sample AI-chat backend on the starter: {@code POST /api/chat} sends a message, {@code GET /api/usage} is
 * the usage panel; its plan is in {@code application.yml}. Counts in an embedded H2 database, or in PostgreSQL
 * with {@code spring.datasource.url=jdbc:postgresql://...}. Users sign in with HTTP Basic; the Actuator endpoints
 * are for the admin only.
 */
@SpringBootApplication
public class ChatApplication {

  public static void main(String[] args) {
    SpringApplication.run(ChatApplication.class, args);
  }

  @Bean
  SecurityFilterChain api(HttpSecurity http) throws Exception {
    return http
        .csrf(csrf -> csrf.disable())
        .authorizeHttpRequests(requests -> requests
            .requestMatchers("/actuator/**").hasRole("ADMIN")
            .anyRequest().permitAll())        // the starter refuses a limited request without a user (401)
        .httpBasic(Customizer.withDefaults())
        .build();
  }

  /** Subscribers of the pro plan count under the policy {@code pro}, everyone else under the handler's. */
  @Bean
  PolicyResolver plans(LimitPolicies policies) {
    return (request, subject, declared) -> request.isUserInRole("PRO") ? policies.get("pro") : declared;
  }

  @Bean
  UserDetailsService users() {
    return new InMemoryUserDetailsManager(
        User.withUsername("ali").password("{noop}ali-pass").roles("USER").build(),
        User.withUsername("sara").password("{noop}sara-pass").roles("USER").build(),
        User.withUsername("reza").password("{noop}reza-pass").roles("USER").build(),
        User.withUsername("mina").password("{noop}mina-pass").roles("USER").build(),
        User.withUsername("nima").password("{noop}nima-pass").roles("USER").build(),
        User.withUsername("omid").password("{noop}omid-pass").roles("USER").build(),
        User.withUsername("parisa").password("{noop}parisa-pass").roles("USER", "PRO").build(),
        User.withUsername("admin").password("{noop}admin-pass").roles("ADMIN").build());
  }
}
