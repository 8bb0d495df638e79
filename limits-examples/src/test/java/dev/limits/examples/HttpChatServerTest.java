package dev.limits.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.limits.PeriodClock;
import dev.limits.UsageCounters;
import dev.limits.testkit.UnavailableUsageCounter;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Starts the HTTP demo on an ephemeral port and talks to it through a real {@link HttpClient}. */
class HttpChatServerTest {

  /** Saturday 28 Feb 2026, 09:30 in Tehran: the hour resets in 30 minutes, the day in 14.5 hours. */
  final AtomicReference<Instant> now = new AtomicReference<>(
      LocalDateTime.parse("2026-02-28T09:30").atZone(ChatBackend.TEHRAN).toInstant());
  final PeriodClock clock = now::get;
  final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  HttpChatServer server;

  @BeforeEach
  void start() throws IOException {
    server = HttpChatServer.start(UsageCounters.inMemory(), clock);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  HttpResponse<String> post(String query, String language) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(server.uri().resolve("chat?" + query))
        .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.noBody());
    if (language != null) {
      b.header("Accept-Language", language);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  @Test
  void bindsTheLoopbackAddressOnAnEphemeralPort() {
    assertThat(server.uri().getHost()).isEqualTo("127.0.0.1");
    assertThat(server.uri().getPort()).isPositive();
  }

  @Test
  void messagesAreAllowedUntilTheHourlyLimitThenRefusedWith429AndRateLimitFields() throws Exception {
    String ali = "user=ali&model=openai/gpt-4o-mini&tokens=100";
    HttpResponse<String> r = null;
    int allowed = 0;
    for (int i = 0; i < 10; i++) {
      r = post(ali, "fa-IR,fa;q=0.9,en;q=0.5");
      if (r.statusCode() != 200) {
        break;
      }
      allowed++;
      assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
      assertThat(r.body()).startsWith("{\"status\": 200, \"user\": \"ali\"").contains("\"messages-hour\": " + (2 - i));
      assertThat(r.headers().firstValue("RateLimit")).get().asString()
          .contains("\"messages-hour\";r=" + (2 - i) + ";t=1800");
      assertThat(r.headers().firstValue("Retry-After")).isEmpty();
    }
    assertThat(allowed).as("the free plan allows 3 messages an hour").isEqualTo(3);
    assertThat(r.statusCode()).isEqualTo(429);
    assertThat(r.headers().firstValue("Retry-After")).hasValue("1800");
    assertThat(r.headers().firstValue("RateLimit-Policy")).get().asString()
        .contains("\"messages-hour\";q=3;w=3600", "\"messages-day\";q=20;w=86400");
    assertThat(r.headers().firstValue("RateLimit")).get().asString()
        .contains("\"messages-hour\";r=0;t=1800", "\"messages-day\";r=17;t=52200");
    assertThat(r.headers().firstValue("Content-Language")).hasValue("fa");
    assertThat(r.body()).isEqualTo("{\"status\": 429, \"rule\": \"messages-hour\", \"error\": "
        + "\"شما به حد مجاز پیام\u200cهای ساعتی (3 عدد) رسیده\u200cاید\"}");

    HttpResponse<String> en = post(ali, "en-US");
    assertThat(en.statusCode()).isEqualTo(429);
    assertThat(en.body()).contains("\"error\": \"You have reached your hourly message limit (3).\"");

    now.updateAndGet(t -> t.plus(Duration.ofMinutes(30)));
    assertThat(post(ali, "fa").statusCode()).as("a new hour").isEqualTo(200);
  }

  @Test
  void accessDenialsAre403WithoutRetryAfter() throws Exception {
    HttpResponse<String> model = post("user=ali&model=anthropic/claude-3.5-sonnet&tokens=10", "fa");
    assertThat(model.statusCode()).isEqualTo(403);
    assertThat(model.headers().firstValue("Retry-After")).isEmpty();
    assertThat(model.body()).contains("\"rule\": \"model\"", "دسترسی به این مدل دیگر برای اشتراک شما فعال نیست");

    HttpResponse<String> expired = post("user=reza&model=openai/gpt-4o&tokens=10", null);
    assertThat(expired.statusCode()).isEqualTo(403);
    assertThat(expired.body()).contains("\"error\": \"You have no active subscription.\"");
    assertThat(post("user=nobody&model=openai/gpt-4o&tokens=10", "en").statusCode()).isEqualTo(403);
  }

  @Test
  void tokensAreSettledAndTheDailyQuotaDenies() throws Exception {
    HttpResponse<String> big = post("user=sara&model=openai/gpt-4o-mini&tokens=7500", "en");
    assertThat(big.statusCode()).isEqualTo(200);
    assertThat(big.body()).containsPattern("\"tokens\": \\d+").contains("\"tokens-day\": ");
    HttpResponse<String> more = post("user=sara&model=openai/gpt-4o-mini&tokens=2000", "fa");
    assertThat(more.statusCode()).isEqualTo(429);
    assertThat(more.headers().firstValue("Retry-After")).hasValue(Long.toString(Duration.ofMinutes(14 * 60 + 30)
        .toSeconds()));
    assertThat(more.body()).contains("\"rule\": \"tokens-day\"",
        "شما به حد مجاز توکن\u200cهای روزانه (8000 عدد) رسیده\u200cاید");
  }

  @Test
  void badRequestsAreRefusedWithoutCountingAnything() throws Exception {
    assertThat(post("model=openai/gpt-4o-mini&tokens=1", "en").statusCode()).isEqualTo(400);
    assertThat(post("user=ali&model=openai/gpt-4o-mini&tokens=lots", "en").statusCode()).isEqualTo(400);
    assertThat(post("user=ali&tokens=1", "en").statusCode()).isEqualTo(400);
    HttpRequest getRequest = HttpRequest.newBuilder(server.uri().resolve("chat?user=ali")).GET().build();
    HttpResponse<String> get = client.send(getRequest, HttpResponse.BodyHandlers.ofString());
    assertThat(get.statusCode()).isEqualTo(405);
    assertThat(get.headers().firstValue("Allow")).hasValue("POST");
    HttpResponse<String> first = post("user=ali&model=openai/gpt-4o-mini&tokens=1", "en");
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.body()).as("nothing was counted before").contains("\"messages-hour\": 2");
  }

  @Test
  void aMissingOrNonNumericTokensIsA400SayingWhatIsExpected() throws Exception {
    HttpResponse<String> missing = post("user=ali&model=openai/gpt-4o-mini", "fa");
    assertThat(missing.statusCode()).isEqualTo(400);
    assertThat(missing.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
    assertThat(missing.headers().firstValue("RateLimit")).isEmpty();
    assertThat(missing.body()).isEqualTo("{\"status\": 400, \"rule\": \"bad-request\", \"error\": \"tokens is "
        + "required: the estimated tokens of the call, a whole number such as tokens=600\"}");
    assertThat(post("user=ali&model=openai/gpt-4o-mini&tokens=", "en").body())
        .contains("\"error\": \"tokens is required: ");
    assertThat(post("user=ali&model=openai/gpt-4o-mini&tokens=lots", "en").body())
        .contains("\"error\": \"tokens must be a whole number such as tokens=600, got 'lots'\"");
    assertThat(post("user=ali&model=openai/gpt-4o-mini&tokens=1.5", "en").statusCode()).isEqualTo(400);
    assertThat(post("user=ali&model=openai/gpt-4o-mini&tokens=-5", "en").body())
        .contains("\"error\": \"tokens must be 0 or more, got -5\"");
    HttpResponse<String> nothing = post("", "en");
    assertThat(nothing.statusCode()).isEqualTo(400);
    assertThat(nothing.body()).as("every missing parameter at once")
        .contains("user is required: the user id", "model is required: the model id", "tokens is required");
    assertThat(post("user=ali&model=&tokens=5", "en").body()).contains("model is required");
    assertThat(post("user=%20&model=openai/gpt-4o-mini&tokens=5", "en").body()).contains("user is required");

    HttpResponse<String> first = post("user=ali&model=openai/gpt-4o-mini&tokens=1", "en");
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.body()).as("none of the refused calls was counted").contains("\"messages-hour\": 2");
  }

  @Test
  void a403CarriesNoRateLimitFields() throws Exception {
    HttpResponse<String> model = post("user=ali&model=anthropic/claude-3.5-sonnet&tokens=10", "en");
    assertThat(model.statusCode()).isEqualTo(403);
    assertThat(model.headers().map()).doesNotContainKeys("RateLimit", "RateLimit-Policy", "Retry-After");
    HttpResponse<String> expired = post("user=reza&model=openai/gpt-4o&tokens=10", "en");
    assertThat(expired.statusCode()).isEqualTo(403);
    assertThat(expired.headers().map()).doesNotContainKeys("RateLimit", "RateLimit-Policy", "Retry-After");
  }

  @Test
  void anUnreachableCounterIsA503WithoutRateLimitFields() throws Exception {
    server.close();
    server = HttpChatServer.start(new UnavailableUsageCounter("database down"), clock);
    HttpResponse<String> r = post("user=ali&model=openai/gpt-4o-mini&tokens=10", "en");
    assertThat(r.statusCode()).as("fail-closed").isEqualTo(503);
    assertThat(r.headers().map()).doesNotContainKeys("RateLimit", "RateLimit-Policy", "Retry-After");
    assertThat(r.body()).startsWith("{\"status\": 503, ");
  }

  @Test
  void acceptLanguagePicksPersianOrEnglish() {
    assertThat(HttpChatServer.locale("fa")).isEqualTo(Locale.forLanguageTag("fa"));
    assertThat(HttpChatServer.locale("en;q=0.5, fa-IR;q=0.8")).isEqualTo(Locale.forLanguageTag("fa"));
    assertThat(HttpChatServer.locale("de-DE")).isEqualTo(Locale.ENGLISH);
    assertThat(HttpChatServer.locale("not a ;; header")).isEqualTo(Locale.ENGLISH);
    assertThat(HttpChatServer.locale(null)).isEqualTo(Locale.ENGLISH);
    assertThat(HttpChatServer.json("a\"b\\c\n")).isEqualTo("\"a\\\"b\\\\c\\n\"");
  }

  @Test
  void aStoppedServerRefusesConnections() {
    URI uri = server.uri();
    server.close();
    HttpRequest r = HttpRequest.newBuilder(uri.resolve("chat?user=ali&model=m&tokens=1"))
        .timeout(Duration.ofSeconds(5)).POST(HttpRequest.BodyPublishers.noBody()).build();
    assertThatThrownBy(() -> client.send(r, HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
  }
}
