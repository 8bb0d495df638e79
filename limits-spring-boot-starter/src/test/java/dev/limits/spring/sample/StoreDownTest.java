package dev.limits.spring.sample;

import static org.assertj.core.api.Assertions.assertThat;

import dev.limits.spi.UsageCounter;
import dev.limits.testkit.UnavailableUsageCounter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** The store is down: a limited request is answered 503 (the limiter fails closed) and the health is DOWN. */
@SpringBootTest(classes = ChatApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(StoreDownTest.Down.class)
class StoreDownTest {

  @TestConfiguration(proxyBeanMethods = false)
  static class Down {
    @Bean
    UsageCounter store() {
      return new UnavailableUsageCounter("the counters' database is down");
    }
  }

  @LocalServerPort
  int port;

  private final HttpClient http = HttpClient.newHttpClient();

  private HttpRequest.Builder request(String path, String user) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).header("Authorization",
        "Basic " + Base64.getEncoder().encodeToString((user + ":" + user + "-pass").getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void aLimitedRequestIsAnswered503InTheRequestsLanguage() throws Exception {
    HttpResponse<String> down = http.send(request("/api/chat?model=openai/gpt-4o-mini", "ali")
        .header("Content-Type", "application/json").header("Accept-Language", "fa")
        .POST(HttpRequest.BodyPublishers.ofString("{\"message\": \"salam\"}")).build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    assertThat(down.statusCode()).isEqualTo(503);
    assertThat(down.headers().firstValue("RateLimit")).isEmpty();
    JsonNode problem = new ObjectMapper().readTree(down.body());
    assertThat(problem.get("status").asInt()).isEqualTo(503);
    assertThat(problem.get("title").asString()).isEqualTo("Service Unavailable");
    assertThat(problem.get("detail").asString()).isNotBlank().doesNotContain("Service Unavailable");
  }

  @Test
  void theStoresHealthIsDown() throws Exception {
    HttpResponse<String> health = http.send(request("/actuator/health", "admin").GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(health.statusCode()).isEqualTo(503);
    JsonNode limits = new ObjectMapper().readTree(health.body()).get("components").get("limits");
    assertThat(limits.get("status").asString()).isEqualTo("DOWN");
  }
}
