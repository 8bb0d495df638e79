package dev.limits.spring;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The {@code limits.*} properties: the policies of an AI-chat backend's plans and how the limiter enforces them.
 *
 * <pre>
 * limits:
 *   policies:
 *     free:
 *       zone: Asia/Tehran
 *       week-start: saturday
 *       quotas:
 *         messages: { hour: 3, day: 20 }
 *         tokens: { day: 3000 }
 *       units: { tokens: tokens }
 *       models: [openai/gpt-4o-mini]
 *   reservation-ttl: 10m
 *   messages:
 *     fa:
 *       quota.messages-hour: "سقف پیام ساعتی شما ({limit} عدد) پر شده است"
 * </pre>
 *
 * An unknown key under {@code limits} fails startup, naming every such key; so does every bad value, each named
 * by its key, all in one message (see {@link InvalidLimitsPropertiesException}).
 *
 * @param policies        the policies by name, each named by the @Limited handlers that count under it
 * @param failOpen        whether to allow requests while the store cannot be reached (default false: deny
 *                        with 503)
 * @param warningThreshold the share of a limit at which an allowed decision carries a warning (default 0.8)
 * @param reservationTtl  how long a reservation of a @Limited handler lives unless settled (default 10
 *                        minutes): longer than the slowest AI call
 * @param purgeInterval   how often ended periods and expired reservations are purged (default one minute)
 * @param messages        message templates by locale tag (en, fa) and template key, on top of the
 *                        shipped English and Persian ones (see dev.limits.MessageCatalog)
 * @param persianDigits   whether Persian messages write numbers in Persian digits (default false)
 * @param jdbc            the store in the application's DataSource
 * @param web             how Spring MVC requests are limited
 */
@ConfigurationProperties(prefix = "limits", ignoreUnknownFields = false)
public record LimitsProperties(
    @DefaultValue Map<String, Policy> policies,
    @DefaultValue("false") boolean failOpen,
    @DefaultValue("0.8") double warningThreshold,
    @DefaultValue("10m") Duration reservationTtl,
    @DefaultValue("1m") Duration purgeInterval,
    @DefaultValue Map<String, Map<String, String>> messages,
    @DefaultValue("false") boolean persianDigits,
    @DefaultValue Jdbc jdbc,
    @DefaultValue Web web) {

  /**
   * Binds the properties.
   *
   * @param policies         the policies by name
   * @param failOpen         whether to allow requests while the store cannot be reached
   * @param warningThreshold the share of a limit at which an allowed decision carries a warning
   * @param reservationTtl   how long a reservation lives unless settled
   * @param purgeInterval    how often the store is purged
   * @param messages         message templates by locale tag and template key
   * @param persianDigits    whether Persian messages write numbers in Persian digits
   * @param jdbc             the store in the application's DataSource
   * @param web              how Spring MVC requests are limited
   */
  public LimitsProperties {
    policies = ordered(policies);
    reservationTtl = Objects.requireNonNullElse(reservationTtl, Duration.ofMinutes(10));
    purgeInterval = Objects.requireNonNullElse(purgeInterval, Duration.ofMinutes(1));
    messages = ordered(messages);
    jdbc = Objects.requireNonNullElse(jdbc, new Jdbc("limits_", true));
    web = Objects.requireNonNullElse(web, new Web(Anonymous.REFUSE, "X-Api-Key", "Idempotency-Key"));
  }

  /** An unmodifiable copy that keeps the order of the configuration. */
  private static <V> Map<String, V> ordered(@Nullable Map<String, V> map) {
    return map == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(map));
  }

  /**
   * One policy: its quotas per metric and window, the zone of its calendar windows and its access rules.
   *
   * @param zone        the zone whose local clock sets hour, day, week, month and year boundaries (default UTC)
   * @param weekStart   the first day of the window named "week" (default monday); week-sat and the
   *                    like name a first day of their own
   * @param quotas      the limits by metric name, then by window id: hour, 3h, day,
   *                    week, week-sun, month, year, lifetime, or a
   *                    rolling window such as "[rolling-PT1H/PT5M]" (brackets keep the capitals and the
   *                    slash); each limit a whole number, zero or more
   * @param units       the unit of each metric that is not a count of things: tokens, bytes, or
   *                    money as money:USD:6 (currency and decimal places: micro-dollars); default
   *                    count
   * @param models      the models the policy allows; empty allows every model
   * @param maxFileSize the largest file the policy allows, if it limits files
   * @param extensions  the file extensions the policy allows; empty allows every extension
   */
  public record Policy(
      @DefaultValue("UTC") String zone,
      @DefaultValue("monday") String weekStart,
      @DefaultValue Map<String, Map<String, String>> quotas,
      @DefaultValue Map<String, String> units,
      @DefaultValue List<String> models,
      @Nullable DataSize maxFileSize,
      @DefaultValue List<String> extensions) {

    /**
     * Binds a policy.
     *
     * @param zone        the zone of calendar windows
     * @param weekStart   the first day of the window named "week"
     * @param quotas      the limits by metric name, then by window id
     * @param units       the unit of each metric that is not a count
     * @param models      the models allowed, or empty for all
     * @param maxFileSize the largest file allowed, or null
     * @param extensions  the file extensions allowed, or empty for all
     */
    public Policy {
      zone = Objects.requireNonNullElse(zone, "UTC");
      weekStart = Objects.requireNonNullElse(weekStart, "monday");
      quotas = ordered(quotas);
      units = ordered(units);
      models = List.copyOf(Objects.requireNonNullElse(models, List.of()));
      extensions = List.copyOf(Objects.requireNonNullElse(extensions, List.of()));
    }
  }

  /**
   * The store in the application's {@code DataSource} ({@link dev.limits.jdbc.JdbcUsageCounter}).
   *
   * @param tablePrefix  the prefix of the store's tables (default limits_)
   * @param createSchema whether to create the tables that are missing at startup (default true); turn it off
   *                     when Flyway or Liquibase run the shipped DDL, as with several instances that start at
   *                     once (the DDL is meant to run from one process at a time)
   */
  public record Jdbc(@DefaultValue("limits_") String tablePrefix, @DefaultValue("true") boolean createSchema) {

    /**
     * Binds the store's settings.
     *
     * @param tablePrefix  the prefix of the store's tables
     * @param createSchema whether to create the missing tables at startup
     */
    public Jdbc {
      tablePrefix = Objects.requireNonNullElse(tablePrefix, "limits_");
    }
  }

  /**
   * How Spring MVC requests to {@link Limited} handlers are keyed.
   *
   * @param anonymous            what a request without an authenticated principal is counted under (default
   *                             refuse: 401, nothing counted)
   * @param apiKeyHeader         the header carrying the client's API key when anonymous is api-key (default
   *                             X-Api-Key)
   * @param idempotencyKeyHeader the header whose value makes a client's retry count once (default
   *                             Idempotency-Key)
   */
  public record Web(@DefaultValue("refuse") Anonymous anonymous, @DefaultValue("X-Api-Key") String apiKeyHeader,
      @DefaultValue("Idempotency-Key") String idempotencyKeyHeader) {

    /**
     * Binds the web settings.
     *
     * @param anonymous            what an anonymous request is counted under
     * @param apiKeyHeader         the header carrying an API key
     * @param idempotencyKeyHeader the header carrying an idempotency key
     */
    public Web {
      anonymous = Objects.requireNonNullElse(anonymous, Anonymous.REFUSE);
      apiKeyHeader = Objects.requireNonNullElse(apiKeyHeader, "X-Api-Key");
      idempotencyKeyHeader = Objects.requireNonNullElse(idempotencyKeyHeader, "Idempotency-Key");
    }
  }

  /** What a request without an authenticated principal is counted under; never one shared key for all. */
  public enum Anonymous {
    /** Refused with 401 and counted nowhere. */
    REFUSE,
    /** Counted under its API key header, hashed (SHA-256) so that no key is stored; refused without one. */
    API_KEY,
    /** Counted under the address the request came from ({@code ServletRequest.getRemoteAddr()}). */
    CLIENT_ADDRESS
  }
}
