package dev.limits.spring;

import dev.limits.Amounts;
import dev.limits.Decision;
import dev.limits.LimitPolicy;
import dev.limits.LimitRequest;
import dev.limits.Limiter;
import dev.limits.Metric;
import dev.limits.Reservation;
import dev.limits.plans.HttpLimits;
import dev.limits.spring.internal.ProblemResponses;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.servlet.support.RequestContextUtils;

/**
 * Reserves before a {@link Limited} handler, commits after a 2xx answer and cancels after any other. Denials
 * never reach the handler: they are answered here as problem details.
 */
final class LimitsInterceptor implements HandlerInterceptor {

  private static final Logger LOG = LoggerFactory.getLogger(LimitsInterceptor.class);

  /** Unprocessable Content: an idempotency key reused for a different request. */
  private static final int UNPROCESSABLE = 422;

  /** The request attribute holding the {@link LimitedCall} of a granted request. */
  static final String CALL = LimitedCall.class.getName();

  private final Limiter limiter;
  private final LimitPolicies policies;
  private final SubjectResolver subjects;
  private final PolicyResolver plans;
  private final String idempotencyKeyHeader;
  private final Map<Method, Target> targets = new ConcurrentHashMap<>();

  LimitsInterceptor(Limiter limiter, LimitPolicies policies, SubjectResolver subjects, PolicyResolver plans,
      String idempotencyKeyHeader) {
    this.limiter = limiter;
    this.policies = policies;
    this.subjects = subjects;
    this.plans = plans;
    this.idempotencyKeyHeader = idempotencyKeyHeader;
  }

  /** What a {@link Limited} handler reserves: read once per handler method. */
  record Target(LimitPolicy policy, Amounts amounts, String modelName) {}

  /**
   * The target of {@code handler}, or null if it is not limited.
   *
   * @throws IllegalStateException if its {@link Limited} names an unknown policy or metric, or a bad amount
   */
  @Nullable Target target(HandlerMethod handler) {
    Limited limited = AnnotatedElementUtils.findMergedAnnotation(handler.getMethod(), Limited.class);
    if (limited == null) {
      limited = AnnotatedElementUtils.findMergedAnnotation(handler.getBeanType(), Limited.class);
    }
    if (limited == null) {
      return null;
    }
    Limited found = limited;
    return targets.computeIfAbsent(handler.getMethod(), m -> read(m, found));
  }

  private Target read(Method method, Limited limited) {
    List<String> problems = new ArrayList<>();
    LimitPolicy policy = policies.find(limited.policy()).orElse(null);
    if (policy == null) {
      throw new IllegalStateException("@Limited on " + method + " names the policy '" + limited.policy()
          + "', which limits.policies does not declare; it has " + policies.asMap().keySet());
    }
    Amounts amounts = Amounts.none();
    for (String entry : limited.amounts()) {
      int eq = entry.indexOf('=');
      Metric metric = eq < 0 ? null : policy.metrics().get(entry.substring(0, eq).trim());
      long amount = -1;
      try {
        amount = eq < 0 ? -1 : Long.parseLong(entry.substring(eq + 1).trim());
      } catch (NumberFormatException e) {
        // reported below
      }
      if (metric == null) {
        problems.add("'" + entry + "' names no metric of policy '" + policy.name() + "' (it has "
            + policy.metrics().keySet() + ")");
      } else if (amount < 0) {
        problems.add("'" + entry + "' is not metric=amount with a whole amount of zero or more");
      } else if (amounts.get(metric).isPresent()) {
        problems.add("'" + entry + "' gives '" + metric.name() + "' a second amount");
      } else {
        amounts = amounts.and(metric, amount);
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalStateException("@Limited on " + method + " is invalid: " + String.join("; ", problems));
    }
    return new Target(policy, amounts, limited.model());
  }

  @Override
  public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler)
      throws IOException {
    if (!(handler instanceof HandlerMethod)) {
      return true;
    }
    Target target = target((HandlerMethod) handler);
    if (target == null || request.getAttribute(CALL) != null) { // an async dispatch goes on with its reservation
      return true;
    }
    String path = request.getRequestURI();
    String subject = subjects.resolve(request);
    if (subject == null) {
      ProblemResponses.write(response, HttpServletResponse.SC_UNAUTHORIZED,
          "This request is limited per user: authenticate to send it.", path);
      return false;
    }
    LimitRequest limitRequest;
    try {
      limitRequest = request(subject, target, request);
    } catch (IllegalArgumentException e) { // a malformed subject or model: the client's input
      ProblemResponses.write(response, HttpServletResponse.SC_BAD_REQUEST, String.valueOf(e.getMessage()), path);
      return false;
    }
    LimitPolicy policy = plans.resolve(request, subject, target.policy());
    Reservation reservation;
    try {
      reservation = limiter.acquire(policy, limitRequest);
    } catch (IllegalArgumentException e) {
      if (limitRequest.idempotencyKey() == null) {
        throw e; // the policy does not suit the handler: the application's mistake
      } // else an idempotency key reused for another request
      ProblemResponses.write(response, UNPROCESSABLE, String.valueOf(e.getMessage()), path);
      return false;
    }
    Decision decision = reservation.decision();
    HttpLimits.of(decision).headers().forEach(response::setHeader);
    if (!reservation.isGranted()) {
      reservation.close();
      Locale locale = RequestContextUtils.getLocale(request);
      ProblemResponses.denied(response, decision, locale, path);
      return false;
    }
    request.setAttribute(CALL, new LimitedCall(policy, reservation, target.amounts()));
    return true;
  }

  private LimitRequest request(String subject, Target target, HttpServletRequest request) {
    LimitRequest limitRequest = LimitRequest.of(subject);
    String key = request.getHeader(idempotencyKeyHeader);
    if (key != null) {
      limitRequest = limitRequest.idempotencyKey(key);
    }
    for (Map.Entry<Metric, Long> e : target.amounts().asMap().entrySet()) {
      limitRequest = limitRequest.amount(e.getKey(), e.getValue());
    }
    if (!target.modelName().isEmpty()) {
      String model = request.getParameter(target.modelName());
      if (model == null) {
        Object variables = request.getAttribute(HandlerMapping.URI_TEMPLATE_VARIABLES_ATTRIBUTE);
        if (variables instanceof Map) {
          Object value = ((Map<?, ?>) variables).get(target.modelName());
          model = value == null ? null : value.toString();
        }
      }
      if (model == null) {
        throw new IllegalArgumentException("the request has no '" + target.modelName() + "': name the model");
      }
      limitRequest = limitRequest.model(model);
    }
    return limitRequest;
  }

  @Override
  public void afterCompletion(HttpServletRequest request, HttpServletResponse response, Object handler,
      @Nullable Exception ex) {
    Object call = request.getAttribute(CALL);
    if (!(call instanceof LimitedCall)) {
      return;
    }
    request.removeAttribute(CALL);
    int status = response.getStatus();
    try {
      if (ex == null && status >= 200 && status < 300) {
        ((LimitedCall) call).commit();
      } else {
        ((LimitedCall) call).cancel();
      }
    } catch (RuntimeException e) { // the answer is sent; an unsettled reservation is refunded when it expires
      LOG.warn("could not settle {} after {} answered {}", call, request.getRequestURI(), status, e);
    }
  }
}
