package dev.limits.spring.internal;

import dev.limits.spring.LimitsProperties;
import dev.limits.spring.SubjectResolver;
import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Principal;
import java.util.HexFormat;
import org.jspecify.annotations.Nullable;

/**
 * The authenticated principal's name; for an anonymous request, per {@code limits.web.anonymous}: nothing
 * (refused), {@code api-key:} and the SHA-256 of its API key header (so that no key is stored), or
 * {@code client:} and its address.
 */
public final class DefaultSubjectResolver implements SubjectResolver {

  private final LimitsProperties.Web web;

  /**
   * Creates the resolver.
   *
   * @param web the web settings
   */
  public DefaultSubjectResolver(LimitsProperties.Web web) {
    this.web = web;
  }

  @Override
  public @Nullable String resolve(HttpServletRequest request) {
    Principal principal = request.getUserPrincipal();
    if (principal != null && principal.getName() != null && !principal.getName().isBlank()) {
      return principal.getName();
    }
    switch (web.anonymous()) {
      case API_KEY:
        String key = request.getHeader(web.apiKeyHeader());
        return key == null || key.isBlank() ? null : "api-key:" + sha256(key.trim());
      case CLIENT_ADDRESS:
        String address = request.getRemoteAddr();
        return address == null || address.isBlank() ? null : "client:" + address;
      case REFUSE:
      default:
        return null;
    }
  }

  private static String sha256(String value) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(value.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  @Override
  public String toString() {
    return "DefaultSubjectResolver[anonymous=" + web.anonymous() + "]";
  }
}
