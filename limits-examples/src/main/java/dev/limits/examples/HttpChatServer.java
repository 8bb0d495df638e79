package dev.limits.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.limits.PeriodClock;
import dev.limits.QuotaUsage;
import dev.limits.examples.ChatBackend.Account;
import dev.limits.examples.ChatBackend.Exchange;
import dev.limits.plans.AiCall;
import dev.limits.plans.HttpLimits;
import dev.limits.spi.UsageCounter;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * The chat demo's backend over HTTP, on the JDK's built-in {@link HttpServer}: {@code POST
 * /chat?user=ali&model=openai/gpt-4o-mini&tokens=600} (optional {@code chat=...}) runs the call through the
 * users' plans of {@link ChatBackend}. It answers 200 with a JSON reply, or 403/429/503 with the denial message
 * in the language of {@code Accept-Language} (Persian for {@code fa}, English otherwise), {@code Retry-After} and
 * the {@code RateLimit-Policy} / {@code RateLimit} fields of {@link HttpLimits} (none on a 403 or a 503). A
 * missing user, model or tokens, or tokens that are not a whole number of 0 or more, answer 400 naming each
 * problem. Binds 127.0.0.1 on a free port.
 */
public final class HttpChatServer implements AutoCloseable {

  private static final Locale FA = Locale.forLanguageTag("fa");
  private static final List<Locale> LANGUAGES = List.of(Locale.ENGLISH, FA);

  private final HttpServer server;
  private final ExecutorService executor;
  private final ChatBackend backend;
  private final AtomicBoolean closed = new AtomicBoolean();

  private HttpChatServer(ChatBackend backend) throws IOException {
    this.backend = backend;
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    this.executor = Executors.newFixedThreadPool(4);
    server.setExecutor(executor);
    server.createContext("/chat", this::chat);
  }

  /**
   * Starts a server counting in {@code counter} with time from {@code clock}, on 127.0.0.1 and a free port.
   *
   * @throws IOException if the port cannot be bound
   */
  public static HttpChatServer start(UsageCounter counter, PeriodClock clock) throws IOException {
    HttpChatServer s = new HttpChatServer(new ChatBackend(counter, clock));
    s.server.start();
    return s;
  }

  /** The base address, such as {@code http://127.0.0.1:50123/}. */
  public URI uri() {
    InetSocketAddress a = server.getAddress();
    return URI.create("http://" + a.getAddress().getHostAddress() + ":" + a.getPort() + "/");
  }

  /** Stops accepting requests and ends the worker threads; closing again does nothing. */
  @Override
  public void close() {
    if (closed.getAndSet(true)) {
      return;
    }
    server.stop(0);
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Starts the server on the system clock, prints its address and serves until the JVM is stopped. */
  public static void main(String[] args) throws Exception {
    HttpChatServer s = start(ChatBackend.newCounter(), PeriodClock.system());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      s.close();
      stopped.countDown();
    }));
    URI chat = s.uri().resolve("chat?user=ali&model=openai/gpt-4o-mini&tokens=600");
    System.out.println("limits HTTP chat demo listening on " + s.uri() + " (users: ali free, sara pro, reza expired)");
    System.out.println("try:  curl -i -X POST -H 'Accept-Language: fa' '" + chat + "'");
    System.out.println("ali's 4th message within the hour answers 429. Stop with Ctrl-C.");
    stopped.await();
  }

  private void chat(HttpExchange http) throws IOException {
    try (http) {
      Locale locale = locale(http.getRequestHeaders().getFirst("Accept-Language"));
      if (!"POST".equals(http.getRequestMethod())) {
        http.getResponseHeaders().set("Allow", "POST");
        send(http, 405, locale, error(405, "method-not-allowed", "POST only"));
        return;
      }
      Map<String, String> q = query(http.getRequestURI().getRawQuery());
      List<String> problems = new ArrayList<>();
      String user = required(q, "user", "the user id, such as user=ali", problems);
      String model = required(q, "model", "the model id, such as model=openai/gpt-4o-mini", problems);
      long tokens = tokens(q.get("tokens"), problems);
      AiCall call = null;
      if (problems.isEmpty()) {
        try {
          call = AiCall.message(model).estimatedTokens(tokens).estimatedCost(ChatBackend.price(model, tokens, false));
          if (q.containsKey("chat")) {
            call = call.chat(q.get("chat"));
          }
        } catch (IllegalArgumentException e) {   // a model or chat id the plans refuse
          problems.add(String.valueOf(e.getMessage()));
        }
      }
      if (call == null) {
        send(http, 400, locale, error(400, "bad-request", String.join("; ", problems)));
        return;
      }
      Account account = backend.account(user).orElse(null);
      Exchange x;
      try {
        x = backend.send(user, account, call);
      } catch (IllegalArgumentException e) {   // a malformed user id
        send(http, 400, locale, error(400, "bad-request", String.valueOf(e.getMessage())));
        return;
      }
      HttpLimits limits = HttpLimits.of(x.permit());
      limits.headers().forEach((name, value) -> http.getResponseHeaders().set(name, value));
      if (!x.permit().isGranted()) {
        String rule = x.permit().decision().denial().map(d -> d.ruleId()).orElse("");
        send(http, limits.status(), locale, error(limits.status(), rule, x.permit().message(locale).orElse("")));
        return;
      }
      StringJoiner remaining = new StringJoiner(", ", "{", "}");
      for (QuotaUsage u : backend.usage(Objects.requireNonNull(account, "a granted call has an account"),
          call.chat())) {
        remaining.add(json(u.quota().id()) + ": " + u.remaining());
      }
      send(http, 200, locale, "{\"status\": 200, \"user\": " + json(user) + ", \"model\": " + json(model)
          + ", \"tokens\": " + x.tokens() + ", \"cost_usd\": " + json(x.cost().toPlainString())
          + ", \"reply\": " + json("(simulated reply of " + model + ")") + ", \"remaining\": " + remaining + "}");
    } catch (RuntimeException e) {
      send(http, 500, Locale.ENGLISH, error(500, "internal", e.toString()));
    }
  }

  /** The non-blank value of parameter {@code name}; "" after adding a problem naming it when it is missing. */
  private static String required(Map<String, String> q, String name, String what, List<String> problems) {
    String v = q.get(name);
    if (v == null || v.isBlank()) {
      problems.add(name + " is required: " + what);
      return "";
    }
    return v;
  }

  /**
   * The estimated tokens of the call; 0 after adding a problem when the parameter is missing, not a whole
   * number or negative. Never a silent default: a call's estimate is what its reservation holds.
   */
  private static long tokens(@Nullable String raw, List<String> problems) {
    if (raw == null || raw.isBlank()) {
      problems.add("tokens is required: the estimated tokens of the call, a whole number such as tokens=600");
      return 0;
    }
    try {
      long tokens = Long.parseLong(raw.trim());
      if (tokens >= 0) {
        return tokens;
      }
      problems.add("tokens must be 0 or more, got " + raw);
    } catch (NumberFormatException e) {
      problems.add("tokens must be a whole number such as tokens=600, got '" + raw + "'");
    }
    return 0;
  }

  private static String error(int status, String rule, String message) {
    return "{\"status\": " + status + ", \"rule\": " + json(rule) + ", \"error\": " + json(message) + "}";
  }

  private static void send(HttpExchange http, int status, Locale locale, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    http.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
    http.getResponseHeaders().set("Content-Language", locale.getLanguage());
    http.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = http.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** Persian if {@code Accept-Language} prefers it over English, English otherwise. */
  static Locale locale(String acceptLanguage) {
    if (acceptLanguage == null || acceptLanguage.isBlank()) {
      return Locale.ENGLISH;
    }
    try {
      Locale l = Locale.lookup(Locale.LanguageRange.parse(acceptLanguage), LANGUAGES);
      return l == null ? Locale.ENGLISH : l;
    } catch (IllegalArgumentException e) {
      return Locale.ENGLISH;
    }
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> q = new HashMap<>();
    if (raw == null) {
      return q;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String k = eq < 0 ? pair : pair.substring(0, eq);
      String v = eq < 0 ? "" : pair.substring(eq + 1);
      try {
        q.putIfAbsent(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        // a malformed escape: the parameter is ignored, and a missing one answers 400
      }
    }
    return q;
  }

  /** A JSON string literal. */
  static String json(String s) {
    if (s == null) {
      return "null";
    }
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"': b.append("\\\""); break;
        case '\\': b.append("\\\\"); break;
        case '\n': b.append("\\n"); break;
        case '\r': b.append("\\r"); break;
        case '\t': b.append("\\t"); break;
        default:
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
      }
    }
    return b.append('"').toString();
  }
}
