package dev.limits.spring.sample;

import dev.limits.LimitPolicy;
import dev.limits.Limiter;
import dev.limits.QuotaUsage;
import dev.limits.spring.LimitPolicies;
import dev.limits.spring.Limited;
import dev.limits.spring.LimitedCall;
import jakarta.servlet.http.HttpServletRequest;
import java.security.Principal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The chat API: a message reserves one message and an estimate of tokens, and commits the tokens it used. */
@RestController
@RequestMapping("/api")
class ChatController {

  private final Limiter limiter;
  private final LimitPolicies policies;

  ChatController(Limiter limiter, LimitPolicies policies) {
    this.limiter = limiter;
    this.policies = policies;
  }

  @PostMapping("/chat")
  @Limited(policy = "free", amounts = {"messages=1", "tokens=500"}, model = "model")
  Map<String, Object> send(@RequestParam String model, @RequestBody Map<String, String> body, LimitedCall call) {
    String prompt = body.getOrDefault("message", "");
    long tokens = 100 + prompt.length();         // what the model reported using
    call.actual("tokens", tokens);
    Map<String, Object> reply = new LinkedHashMap<>();
    reply.put("model", model);
    reply.put("reply", "You said: " + prompt);
    reply.put("tokens", tokens);
    return reply;
  }

  /** The same, answered from another thread: counted once, when the answer is complete. */
  @PostMapping("/chat/async")
  @Limited(policy = "free", amounts = {"messages=1", "tokens=500"}, model = "model")
  Callable<Map<String, Object>> sendLater(@RequestParam String model, @RequestBody Map<String, String> body,
      LimitedCall call) {
    return () -> send(model, body, call);
  }

  @PostMapping("/images")
  @Limited(policy = "free", amounts = "images=1")
  Map<String, Object> image(@RequestBody Map<String, String> body) {
    return Map.of("image", "https://images.example/" + Math.abs(body.getOrDefault("prompt", "").hashCode()));
  }

  /** A model provider that fails: the reservation is cancelled, nothing counted. */
  @PostMapping("/chat/broken")
  @Limited(policy = "free", amounts = {"messages=1", "tokens=500"}, model = "model")
  Map<String, Object> broken(@RequestParam String model) {
    throw new IllegalStateException("the model provider did not answer");
  }

  @GetMapping("/usage")
  List<Map<String, Object>> usage(Principal user, HttpServletRequest request) {
    LimitPolicy plan = policies.get(request.isUserInRole("PRO") ? "pro" : "free");
    return limiter.usage(plan, user.getName()).quotas().stream().map(ChatController::panel).toList();
  }

  private static Map<String, Object> panel(QuotaUsage usage) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("quota", usage.quota().id());
    row.put("used", usage.used());
    row.put("limit", usage.limit());
    row.put("remaining", usage.remaining());
    usage.resetsAt().ifPresent(r -> row.put("resetsAt", r.toString()));
    return row;
  }
}
