package dev.limits.plans;

import dev.limits.Decision;
import dev.limits.QuotaUsage;
import dev.limits.Window;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.StringJoiner;

/**
 * Maps a {@link Decision} to HTTP without any servlet dependency: the status, {@code Retry-After}, and the
 * {@code RateLimit-Policy} and {@code RateLimit} fields of the IETF draft
 * <a href="https://datatracker.ietf.org/doc/draft-ietf-httpapi-ratelimit-headers/">draft-ietf-httpapi-ratelimit-headers</a>
 * (revisions 08 to 11 share this syntax).
 *
 * <pre>
 * HTTP/1.1 429 Too Many Requests
 * Retry-After: 1800
 * RateLimit-Policy: "messages-hour";q=20;w=3600, "messages-day";q=100;w=86400
 * RateLimit: "messages-hour";r=0;t=1800, "messages-day";r=37;t=49800
 * </pre>
 *
 * <ul>
 *   <li>Status: 200, 403 (forbidden), 429 (quota exceeded) or 503 (counter unavailable, when the limiter
 *       fails closed). A 403 and a 503 carry no {@code RateLimit} fields: no quota was counted.
 *   <li>{@code Retry-After}: on a 429, the seconds until every denying quota has reset (the next calendar
 *       boundary), rounded up; absent when waiting cannot help (a lifetime quota) and on other statuses.
 *   <li>One policy item per quota the decision reports, named by its quota id as a Structured Fields
 *       string: {@code q} is the limit in the metric's units (micro-dollars for cost), {@code w} the length in
 *       seconds of the current calendar period or of the rolling window (absent for lifetime quotas).
 *       {@code r} is what remains and {@code t} the seconds until the usage resets (absent for lifetime
 *       quotas). The optional {@code qu} (quota unit) and {@code pk} (partition key) parameters are not sent:
 *       the registered units are requests and bytes, not tokens or money.
 * </ul>
 * Immutable and thread-safe.
 *
 * @param status          the HTTP status
 * @param retryAfter      the {@code Retry-After} seconds, if any
 * @param rateLimitPolicy the {@code RateLimit-Policy} field value, if the decision reports quotas
 * @param rateLimit       the {@code RateLimit} field value, if the decision reports quotas
 * @see Decision
 */
public record HttpLimits(int status, OptionalLong retryAfter, Optional<String> rateLimitPolicy,
    Optional<String> rateLimit) {

  /**
   * Creates a mapping.
   *
   * @param status          the HTTP status
   * @param retryAfter      the {@code Retry-After} seconds, if any
   * @param rateLimitPolicy the {@code RateLimit-Policy} field value, if the decision reports quotas
   * @param rateLimit       the {@code RateLimit} field value, if the decision reports quotas
   * @throws NullPointerException if an argument is null
   */
  public HttpLimits {
    Objects.requireNonNull(retryAfter, "retryAfter");
    Objects.requireNonNull(rateLimitPolicy, "rateLimitPolicy");
    Objects.requireNonNull(rateLimit, "rateLimit");
  }

  /**
   * Maps {@code decision}.
   *
   * @param decision the decision
   * @return its status and header fields
   * @throws NullPointerException if {@code decision} is null
   */
  public static HttpLimits of(Decision decision) {
    Objects.requireNonNull(decision, "decision");
    OptionalLong retry = decision.retryAfter().map(d -> OptionalLong.of(ceilSeconds(d))).orElse(OptionalLong.empty());
    if (decision.usage().isEmpty()) {
      return new HttpLimits(decision.httpStatus(), retry, Optional.empty(), Optional.empty());
    }
    StringJoiner policy = new StringJoiner(", ");
    StringJoiner state = new StringJoiner(", ");
    Instant at = decision.at();
    for (QuotaUsage u : decision.usage()) {
      String name = sfString(u.quota().id());
      StringBuilder p = new StringBuilder(name).append(";q=").append(sfInteger(u.limit()));
      StringBuilder s = new StringBuilder(name).append(";r=").append(sfInteger(u.remaining()));
      Window w = u.quota().window();
      if (w instanceof Window.Rolling) {
        p.append(";w=").append(sfInteger(ceilSeconds(((Window.Rolling) w).length())));
      } else if (!u.period().isEndless()) {
        p.append(";w=").append(sfInteger(ceilSeconds(Duration.between(u.period().start(), u.period().end()))));
      }
      u.resetsAt().ifPresent(r -> s.append(";t=").append(sfInteger(ceilSeconds(Duration.between(at, r)))));
      policy.add(p);
      state.add(s);
    }
    return new HttpLimits(decision.httpStatus(), retry, Optional.of(policy.toString()), Optional.of(state.toString()));
  }

  /**
   * Maps the decision of {@code permit}.
   *
   * @param permit the permit
   * @return the status and header fields of its decision
   * @throws NullPointerException if {@code permit} is null
   */
  public static HttpLimits of(AiPermit permit) {
    return of(Objects.requireNonNull(permit, "permit").decision());
  }

  /**
   * {@return the header fields to set, by name: {@code Retry-After}, {@code RateLimit-Policy} and
   * {@code RateLimit}, each only if it has a value}
   */
  public Map<String, String> headers() {
    Map<String, String> h = new LinkedHashMap<>();
    retryAfter.ifPresent(s -> h.put("Retry-After", Long.toString(s)));
    rateLimitPolicy.ifPresent(v -> h.put("RateLimit-Policy", v));
    rateLimit.ifPresent(v -> h.put("RateLimit", v));
    return h;
  }

  private static long ceilSeconds(Duration d) {
    if (d.isNegative()) {
      return 0;
    }
    long s = d.getSeconds();
    return d.getNano() > 0 ? s + 1 : s;
  }

  /** A Structured Fields integer has at most 15 digits; larger limits are sent as the largest one. */
  static long sfInteger(long v) {
    return Math.min(v, 999_999_999_999_999L);
  }

  /** A Structured Fields string: printable ASCII, with {@code "} and {@code \} escaped. */
  static String sfString(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20 || c > 0x7e) {
        b.append('?');
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }
}
