package dev.limits.spring;

import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;

/**
 * Tells whose quota a request to a {@link Limited} handler counts against: the user, the organisation or the API
 * client. Declare a bean of this type to replace the default, which takes the authenticated principal's name
 * and, for a request without one, what {@code limits.web.anonymous} says (refuse, the API key header, or the
 * client's address). Implementations must be thread-safe.
 */
@FunctionalInterface
public interface SubjectResolver {

  /**
   * Returns the subject of {@code request}.
   *
   * @param request the request
   * @return the subject, or null to refuse the request with 401 (it is counted nowhere): a request is never
   *         counted under a key shared by every anonymous caller
   */
  @Nullable String resolve(HttpServletRequest request);
}
