package dev.limits.spring.internal;

import dev.limits.AccessRule;
import dev.limits.LimitPolicy;
import dev.limits.Limiter;
import dev.limits.Quota;
import dev.limits.QuotaUsage;
import dev.limits.UsageReport;
import dev.limits.spring.LimitPolicies;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * The {@code limits} Actuator endpoint: {@code /actuator/limits} lists the loaded policies,
 * {@code /actuator/limits/{subject}} a subject's usage of each quota of each policy. It reveals users' usage:
 * like Spring Boot's own sensitive endpoints it is exposed over the web only when the application includes it
 * in {@code management.endpoints.web.exposure.include}, and should then be secured.
 */
@Endpoint(id = "limits")
public class LimitsEndpoint {

  private final Limiter limiter;
  private final LimitPolicies policies;

  /**
   * Creates the endpoint.
   *
   * @param limiter  the limiter whose usage it reports
   * @param policies the policies it lists
   */
  public LimitsEndpoint(Limiter limiter, LimitPolicies policies) {
    this.limiter = limiter;
    this.policies = policies;
  }

  /** {@return the policies by name: zone, access rules and quotas} */
  @ReadOperation
  public Map<String, Object> policies() {
    Map<String, Object> byName = new LinkedHashMap<>();
    for (LimitPolicy policy : policies.asMap().values()) {
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("zone", policy.zone().getId());
      List<String> rules = new ArrayList<>();
      for (AccessRule rule : policy.rules()) {
        rules.add(rule.toString());
      }
      p.put("rules", rules);
      List<Map<String, Object>> quotas = new ArrayList<>();
      for (Quota quota : policy.quotas()) {
        Map<String, Object> q = new LinkedHashMap<>();
        q.put("id", quota.id());
        q.put("metric", quota.metric().name());
        q.put("window", quota.window().id());
        q.put("limit", quota.limit());
        quotas.add(q);
      }
      p.put("quotas", quotas);
      byName.put(policy.name(), p);
    }
    return Map.of("policies", byName);
  }

  /**
   * Reports a subject's usage under every policy (counters are kept by metric and window, not by policy, so
   * each policy shows the same usage against its own limits).
   *
   * @param subject the user, organisation or API client
   * @return the usage of each quota by policy: used, limit, remaining and when it resets
   */
  @ReadOperation
  public Map<String, Object> usage(@Selector String subject) {
    Map<String, Object> byPolicy = new LinkedHashMap<>();
    String at = "";
    for (LimitPolicy policy : policies.asMap().values()) {
      UsageReport report = limiter.usage(policy, subject);
      at = report.at().toString();
      List<Map<String, Object>> quotas = new ArrayList<>();
      for (QuotaUsage usage : report.quotas()) {
        Map<String, Object> q = new LinkedHashMap<>();
        q.put("quota", usage.quota().id());
        q.put("used", usage.used());
        q.put("limit", usage.limit());
        q.put("remaining", usage.remaining());
        usage.resetsAt().ifPresent(r -> q.put("resetsAt", r.toString()));
        quotas.add(q);
      }
      byPolicy.put(policy.name(), quotas);
    }
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("subject", subject);
    result.put("at", at);
    result.put("policies", byPolicy);
    return result;
  }
}
