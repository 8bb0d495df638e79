package dev.limits.spring.sample;

import static org.assertj.core.api.Assertions.assertThat;

import dev.limits.Limiter;
import dev.limits.spring.LimitPolicies;
import dev.limits.testkit.FakeClock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * The testkit's FakeClock as the application's clock: a daily quota of the Tehran plan resets at Tehran's
 * midnight (20:30 UTC), not at UTC's. Also: with the default exposure, the limits endpoint is not on the web.
 */
@SpringBootTest(classes = ChatApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
        "limits.policies.free.quotas.messages.hour=1000",
        "limits.policies.free.quotas.messages.day=2",
        "management.endpoints.web.exposure.include=health",
        "limits.web.anonymous=api-key"})
@Import(TehranMidnightTest.Clock.class)
class TehranMidnightTest {

  @TestConfiguration(proxyBeanMethods = false)
  static class Clock {
    @Bean
    FakeClock clock() {
      return FakeClock.at("2026-12-06T20:25:00Z"); // 23:55 in Tehran
    }
  }

  @Autowired
  FakeClock clock;

  @LocalServerPort
  int port;

  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> send() throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
            + "/api/chat?model=openai/gpt-4o-mini"))
        .header("Content-Type", "application/json")
        .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("ali:ali-pass".getBytes(
            StandardCharsets.UTF_8)))
        .POST(HttpRequest.BodyPublishers.ofString("{\"message\": \"shab bekheir\"}"))
        .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  @Test
  void theDailyQuotaResetsAtMidnightInTehran() throws Exception {
    assertThat(send().statusCode()).isEqualTo(200);
    assertThat(send().statusCode()).isEqualTo(200);
    HttpResponse<String> denied = send();
    assertThat(denied.statusCode()).isEqualTo(429);
    assertThat(denied.headers().firstValue("Retry-After")).hasValue("300"); // five minutes to Tehran's midnight

    clock.advance(Duration.ofMinutes(4));                                   // 23:59 in Tehran
    assertThat(send().statusCode()).isEqualTo(429);
    clock.advance(Duration.ofMinutes(2));                                   // 00:01, 20:31 UTC: a new day
    HttpResponse<String> nextDay = send();
    assertThat(nextDay.statusCode()).isEqualTo(200);
    assertThat(nextDay.headers().firstValue("RateLimit").orElseThrow()).contains("\"messages-day\";r=1;t=86340");
  }

  @Autowired
  Limiter limiter;

  @Autowired
  LimitPolicies policies;

  private int sendWithApiKey(String key) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
            + "/api/chat?model=openai/gpt-4o-mini"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"message\": \"hi\"}"));
    if (key != null) {
      request.header("X-Api-Key", key);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  private long messagesToday(String subject) {
    return limiter.usage(policies.get("free"), subject).quota("messages-day").orElseThrow().used();
  }

  @Test
  void anAnonymousRequestIsKeyedByTheHashOfItsApiKeyAndRefusedWithoutOne() throws Exception {
    assertThat(sendWithApiKey("key-of-client-one")).isEqualTo(200);
    assertThat(sendWithApiKey("key-of-client-two")).isEqualTo(200);
    assertThat(sendWithApiKey(null)).isEqualTo(401);
    String one = "api-key:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
        .digest("key-of-client-one".getBytes(StandardCharsets.UTF_8)));
    assertThat(messagesToday(one)).isEqualTo(1);
    assertThat(messagesToday("api-key:key-of-client-one")).isZero(); // the key itself is stored nowhere
  }

  @Test
  void theLimitsEndpointIsNotOnTheWebUnlessTheApplicationExposesIt() throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/limits"))
        .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("admin:admin-pass".getBytes(
            StandardCharsets.UTF_8)))
        .GET().build();
    assertThat(http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
    HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health"))
        .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("admin:admin-pass".getBytes(
            StandardCharsets.UTF_8)))
        .GET().build();
    assertThat(http.send(health, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
  }
}
