package dev.limits.examples;

import dev.limits.Amounts;
import dev.limits.Decision;
import dev.limits.LimitPolicy;
import dev.limits.LimitRequest;
import dev.limits.Limiter;
import dev.limits.Metric;
import dev.limits.PeriodClock;
import dev.limits.QuotaUsage;
import dev.limits.Reservation;
import dev.limits.Window;
import dev.limits.spi.UsageCounter;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A simulated AI-chat backend: two users on two plans send messages while the clock moves across an hour
 * and a day. Each request is reserved before the (simulated) AI call and settled to the tokens it used.
 */
public final class ChatDemo {

  static final Metric MESSAGES = Metric.count("messages");
  static final Metric TOKENS = Metric.tokens("tokens");
  static final ZoneId TEHRAN = ZoneId.of("Asia/Tehran");
  static final Locale PERSIAN = Locale.forLanguageTag("fa");
  static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("EEE yyyy-MM-dd HH:mm", Locale.ENGLISH);

  private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-03-02T05:30:00Z"));
  private final PeriodClock clock = () -> Objects.requireNonNull(now.get());
  private final Limiter limiter = Limiter.builder(UsageCounter.inMemory()).clock(clock).build();
  private final Random ai = new Random(42);

  private final LimitPolicy free = LimitPolicy.builder("free").zone(TEHRAN)
      .allowModels("mini")
      .quota(MESSAGES, Window.hour(), 3)
      .quota(MESSAGES, Window.day(), 5)
      .quota(TOKENS, Window.day(), 4_000)
      .build();
  private final LimitPolicy pro = LimitPolicy.builder("pro").zone(TEHRAN)
      .allowModels("mini", "large")
      .quota(MESSAGES, Window.hours(3), 6)
      .quota(MESSAGES, Window.day(), 20)
      .quota(TOKENS, Window.day(), 12_000)
      .build();

  public static void main(String[] args) {
    new ChatDemo().run();
  }

  void run() {
    System.out.println("limits demo: an AI chat backend, plans enforced before every AI call (times in Asia/Tehran)");
    System.out.println();
    for (int i = 0; i < 4; i++) {
      send("alice", free, "mini", 900);
      send("bob", pro, "large", 2_500);
      advance(Duration.ofMinutes(10));
    }
    send("alice", free, "large", 500);
    advance(Duration.ofMinutes(50));
    System.out.println("-- an hour later: alice's hourly window has reset");
    send("alice", free, "mini", 900);
    send("alice", free, "mini", 900);
    send("bob", pro, "large", 2_500);
    advance(Duration.ofHours(18));
    System.out.println("-- the next day: every daily window has reset");
    send("alice", free, "mini", 900);
    send("bob", pro, "large", 2_500);
    System.out.println();
    table("alice", free);
    table("bob", pro);
  }

  private void send(String user, LimitPolicy plan, String model, long estimate) {
    LimitRequest request = LimitRequest.of(user).model(model).amount(MESSAGES, 1).amount(TOKENS, estimate);
    String head = String.format("%s  %-5s (%s) %-5s ~%,d tokens", TIME.format(LocalDateTime.ofInstant(now.get(), TEHRAN)),
        user, plan.name(), model, estimate);
    try (Reservation r = limiter.acquire(plan, request)) {
      Decision d = r.decision();
      if (!r.isGranted()) {
        System.out.printf("%s -> %d %s%n", head, d.httpStatus(), d.outcome());
        System.out.println("      en: " + d.message(Locale.ENGLISH).orElse(""));
        System.out.println("      fa: " + d.message(PERSIAN).orElse(""));
        d.retryAfter().ifPresent(wait -> System.out.println("      retry after " + wait.toMinutes() + " min"));
        return;
      }
      long used = estimate / 2 + ai.nextInt((int) estimate); // the simulated AI call
      r.commit(Amounts.of(TOKENS, used));
      System.out.printf("%s -> %d ALLOWED, used %,d tokens%s%n", head, d.httpStatus(), used,
          d.warnings().isEmpty() ? "" : "  (warning: " + d.warnings().get(0).usage().quota().id() + " at "
              + Math.round(d.warnings().get(0).usage().ratio() * 100) + "%)");
    }
  }

  private void table(String user, LimitPolicy plan) {
    System.out.printf("usage of %s on plan %s:%n", user, plan.name());
    System.out.printf("  %-16s %8s %8s %10s  %s%n", "quota", "used", "limit", "remaining", "resets at");
    for (QuotaUsage q : limiter.usage(plan, user).quotas()) {
      System.out.printf("  %-16s %,8d %,8d %,10d  %s%n", q.quota().id(), q.used(), q.limit(), q.remaining(),
          q.resetsAt().map(t -> TIME.format(LocalDateTime.ofInstant(t, TEHRAN))).orElse("never"));
    }
  }

  private void advance(Duration d) {
    now.updateAndGet(t -> t.plus(d));
  }
}
