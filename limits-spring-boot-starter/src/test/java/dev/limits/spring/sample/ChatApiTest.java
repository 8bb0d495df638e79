package dev.limits.spring.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import dev.limits.jdbc.JdbcDialect;
import dev.limits.jdbc.JdbcUsageCounter;
import dev.limits.spi.UsageCounter;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The sample chat backend over real HTTP on a random port: what a client sees. Each test uses a user of its own.
 * Subclasses choose the database.
 */
abstract class ChatApiTest {

  static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();

  @LocalServerPort
  int port;

  @Autowired
  UsageCounter store;

  /** {@return the database the sample should count in} */
  abstract JdbcDialect database();

  @Test
  void countsInTheDatabaseOfItsDataSource() {
    assertThat(store).isInstanceOf(JdbcUsageCounter.class);
    assertThat(((JdbcUsageCounter) store).dialect()).isEqualTo(database());
  }

  HttpResponse<String> send(String user, String model, String message, String language) throws Exception {
    return post("/api/chat?model=" + model, user, language, "{\"message\": \"" + message + "\"}");
  }

  HttpResponse<String> post(String path, String user, String language, String body) throws Exception {
    return post(path, user, language, body, null);
  }

  HttpResponse<String> post(String path, String user, String language, String body, String idempotencyKey)
      throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(path))
        .header("Content-Type", "application/json")
        .header("Accept-Language", language)
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (user != null) {
      request.header("Authorization", basic(user));
    }
    if (idempotencyKey != null) {
      request.header("Idempotency-Key", idempotencyKey);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  HttpResponse<String> get(String path, String user) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(uri(path)).header("Authorization", basic(user)).GET().build();
    return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  JsonNode usage(String user, String quota) throws Exception {
    HttpResponse<String> panel = get("/api/usage", user);
    assertThat(panel.statusCode()).isEqualTo(200);
    for (JsonNode row : JSON.readTree(panel.body())) {
      if (row.get("quota").asString().equals(quota)) {
        return row;
      }
    }
    throw new AssertionError("no quota " + quota + " in " + panel.body());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  private static String basic(String user) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + user + "-pass").getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void messagesAreAnsweredUntilTheHourlyLimitThenA429ProblemDetailInPersian() throws Exception {
    for (int i = 1; i <= 3; i++) {
      HttpResponse<String> ok = send("ali", "openai/gpt-4o-mini", "salam " + i, "en");
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(JSON.readTree(ok.body()).get("reply").asString()).isEqualTo("You said: salam " + i);
      assertThat(ok.headers().firstValue("RateLimit-Policy")).hasValue(
          "\"messages-hour\";q=3;w=3600, \"messages-day\";q=20;w=86400, \"tokens-day\";q=3000;w=86400");
      assertThat(ok.headers().firstValue("RateLimit").orElseThrow()).startsWith("\"messages-hour\";r=" + (3 - i));
    }
    HttpResponse<String> denied = send("ali", "openai/gpt-4o-mini", "salam 4", "fa");
    assertThat(denied.statusCode()).isEqualTo(429);
    assertThat(denied.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/problem+json");
    long retryAfter = Long.parseLong(denied.headers().firstValue("Retry-After").orElseThrow());
    assertThat(retryAfter).isBetween(1L, 3600L);
    assertThat(denied.headers().firstValue("RateLimit-Policy")).hasValue(
        "\"messages-hour\";q=3;w=3600, \"messages-day\";q=20;w=86400, \"tokens-day\";q=3000;w=86400");
    assertThat(denied.headers().firstValue("RateLimit").orElseThrow()).matches(
        "\"messages-hour\";r=0;t=\\d+, \"messages-day\";r=17;t=\\d+, \"tokens-day\";r=2679;t=\\d+");
    JsonNode problem = JSON.readTree(denied.body());
    assertThat(problem.get("status").asInt()).isEqualTo(429);
    assertThat(problem.get("title").asString()).isEqualTo("Too Many Requests");
    assertThat(problem.get("detail").asString()).isEqualTo("شما به حد مجاز پیام‌های ساعتی (3 عدد) رسیده‌اید");
    assertThat(problem.get("rule").asString()).isEqualTo("messages-hour");
    assertThat(problem.get("limit").asLong()).isEqualTo(3);
    assertThat(problem.get("used").asLong()).isEqualTo(3);
    assertThat(problem.get("instance").asString()).isEqualTo("/api/chat");
    // committed what the calls used (100 tokens + the prompt), not the estimate of 500 each
    assertThat(usage("ali", "tokens-day").get("used").asLong()).isEqualTo(3 * 107);
    assertThat(usage("ali", "messages-hour").get("used").asLong()).isEqualTo(3);
  }

  @Test
  void aModelThePlanDoesNotIncludeIsForbiddenAndCountsNothing() throws Exception {
    HttpResponse<String> denied = send("reza", "openai/gpt-5", "salam", "en");
    assertThat(denied.statusCode()).isEqualTo(403);
    assertThat(denied.headers().firstValue("RateLimit")).isEmpty();
    JsonNode problem = JSON.readTree(denied.body());
    assertThat(problem.get("status").asInt()).isEqualTo(403);
    assertThat(problem.get("rule").asString()).isEqualTo("model");
    assertThat(problem.get("detail").asString())
        .isEqualTo("The free plan does not include openai/gpt-5: upgrade to use it.");
    assertThat(usage("reza", "messages-hour").get("used").asLong()).isZero();
  }

  @Test
  void aProSubscriberCountsUnderThePlanThePolicyResolverChooses() throws Exception {
    for (int i = 1; i <= 4; i++) {
      HttpResponse<String> ok = send("parisa", "openai/gpt-5", "salam " + i, "en");
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.headers().firstValue("RateLimit-Policy").orElseThrow()).startsWith("\"messages-hour\";q=30;");
    }
    assertThat(usage("parisa", "messages-hour").get("limit").asLong()).isEqualTo(30);
    assertThat(usage("parisa", "messages-hour").get("used").asLong()).isEqualTo(4);
  }

  @Test
  void aRetryWithTheSameIdempotencyKeyCountsOnceAndTheKeyCannotBeReusedForAnotherRequest() throws Exception {
    String body = "{\"message\": \"once\"}";
    assertThat(post("/api/chat?model=openai/gpt-4o-mini", "omid", "en", body, "msg-1").statusCode()).isEqualTo(200);
    assertThat(post("/api/chat?model=openai/gpt-4o-mini", "omid", "en", body, "msg-1").statusCode()).isEqualTo(200);
    assertThat(usage("omid", "messages-hour").get("used").asLong()).isEqualTo(1);
    assertThat(usage("omid", "tokens-day").get("used").asLong()).isEqualTo(104);
    HttpResponse<String> reused = post("/api/images", "omid", "en", "{\"prompt\": \"a cat\"}", "msg-1");
    assertThat(reused.statusCode()).isEqualTo(422);
    assertThat(JSON.readTree(reused.body()).get("detail").asString()).contains("msg-1");
    assertThat(usage("omid", "messages-hour").get("used").asLong()).isEqualTo(1);
  }

  @Test
  void aHandlerThatThrowsCountsNothing() throws Exception {
    assertThat(send("sara", "openai/gpt-4o-mini", "one", "en").statusCode()).isEqualTo(200);
    HttpResponse<String> failed = post("/api/chat/broken?model=openai/gpt-4o-mini", "sara", "en", "{}");
    assertThat(failed.statusCode()).isEqualTo(500);
    assertThat(usage("sara", "messages-hour").get("used").asLong()).isEqualTo(1);
    assertThat(usage("sara", "tokens-day").get("used").asLong()).isEqualTo(103);
  }

  @Test
  void anAsyncHandlerIsCountedOnceWhenItsAnswerIsComplete() throws Exception {
    HttpResponse<String> ok = post("/api/chat/async?model=openai/gpt-4o-mini", "nima", "en", "{\"message\": \"later\"}");
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(ok.body()).get("reply").asString()).isEqualTo("You said: later");
    assertThat(usage("nima", "messages-hour").get("used").asLong()).isEqualTo(1);
    assertThat(usage("nima", "tokens-day").get("used").asLong()).isEqualTo(105);
  }

  @Test
  void anAnonymousRequestIsRefusedAndCountedNowhere() throws Exception {
    HttpResponse<String> refused = post("/api/chat?model=openai/gpt-4o-mini", null, "en", "{\"message\": \"hi\"}");
    assertThat(refused.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(refused.body()).get("status").asInt()).isEqualTo(401);
  }

  @Test
  void theActuatorShowsUsageMetersAndTheStoresHealthToTheAdmin() throws Exception {
    send("mina", "openai/gpt-4o-mini", "hello", "en");
    send("mina", "openai/gpt-5", "hello", "en");

    HttpResponse<String> limits = get("/actuator/limits/mina", "admin");
    assertThat(limits.statusCode()).isEqualTo(200);
    JsonNode free = JSON.readTree(limits.body()).get("policies").get("free");
    assertThat(free.get(0).get("quota").asString()).isEqualTo("messages-hour");
    assertThat(free.get(0).get("used").asLong()).isEqualTo(1);
    assertThat(free.get(2).get("used").asLong()).isEqualTo(105);
    assertThat(get("/actuator/limits/mina", "mina").statusCode()).isEqualTo(403);

    HttpResponse<String> policies = get("/actuator/limits", "admin");
    assertThat(JSON.readTree(policies.body()).get("policies").get("free").get("zone").asString())
        .isEqualTo("Asia/Tehran");

    JsonNode forbidden = JSON.readTree(get("/actuator/metrics/limits.decisions?tag=outcome:forbidden&tag=quota:model",
        "admin").body());
    assertThat(forbidden.get("measurements").get(0).get("value").asDouble()).isGreaterThanOrEqualTo(1.0);
    JsonNode store = JSON.readTree(get("/actuator/metrics/limits.store", "admin").body());
    assertThat(store.get("measurements").get(0).get("value").asDouble()).isPositive();

    JsonNode health = JSON.readTree(get("/actuator/health", "admin").body());
    assertThat(health.get("components").get("limits").get("status").asString()).isEqualTo("UP");
  }
}
