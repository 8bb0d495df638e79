package dev.limits.spring.internal;

import dev.limits.Decision;
import dev.limits.Denial;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Locale;
import org.springframework.http.HttpStatus;

/**
 * Writes RFC 9457 problem details ({@code application/problem+json}) for denied requests:
 *
 * <pre>
 * {"type": "about:blank", "title": "Too Many Requests", "status": 429,
 *  "detail": "شما به حد مجاز پیام‌های ساعتی (3 عدد) رسیده‌اید", "instance": "/api/chat",
 *  "rule": "messages-hour", "limit": 3, "used": 3, "resetsAt": "2026-12-06T11:00:00Z"}
 * </pre>
 *
 * {@code rule} is the quota or access rule that denied; a quota adds {@code limit}, {@code used} and, when it
 * ever resets, {@code resetsAt}.
 */
public final class ProblemResponses {

  /** The media type of a problem detail. */
  public static final String PROBLEM_JSON = "application/problem+json";

  private ProblemResponses() {}

  /**
   * Writes the problem detail of a denial.
   *
   * @param response where to write it; its header fields already set
   * @param decision the denying decision
   * @param locale   the language of the message
   * @param instance the request's path
   * @throws IOException if writing fails
   */
  public static void denied(HttpServletResponse response, Decision decision, Locale locale, String instance)
      throws IOException {
    StringBuilder extra = new StringBuilder();
    Denial denial = decision.denial().orElse(null);
    if (denial != null) {
      extra.append(", \"rule\": ").append(string(denial.ruleId()));
      if (denial.quota() != null) {
        extra.append(", \"limit\": ").append(denial.limit()).append(", \"used\": ").append(denial.used());
        if (denial.resetsAt() != null) {
          extra.append(", \"resetsAt\": ").append(string(denial.resetsAt().toString()));
        }
      }
    }
    String detail = decision.message(locale).orElse(HttpStatus.valueOf(decision.httpStatus()).getReasonPhrase());
    write(response, decision.httpStatus(), detail, instance, extra.toString());
  }

  /**
   * Writes a problem detail of {@code status} without limits' own members.
   *
   * @param response where to write it
   * @param status   the status
   * @param detail   what went wrong, for the client
   * @param instance the request's path
   * @throws IOException if writing fails
   */
  public static void write(HttpServletResponse response, int status, String detail, String instance)
      throws IOException {
    write(response, status, detail, instance, "");
  }

  private static void write(HttpServletResponse response, int status, String detail, String instance,
      String extra) throws IOException {
    HttpStatus known = HttpStatus.resolve(status);
    response.setStatus(status);
    response.setCharacterEncoding("UTF-8");
    response.setContentType(PROBLEM_JSON);
    PrintWriter out = response.getWriter();
    out.write("{\"type\": \"about:blank\", \"title\": " + string(known == null ? "" : known.getReasonPhrase())
        + ", \"status\": " + status + ", \"detail\": " + string(detail) + ", \"instance\": " + string(instance)
        + extra + "}");
    out.flush();
  }

  /** A JSON string: quotes, backslashes and control characters escaped. */
  static String string(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20 || c == 0x2028 || c == 0x2029) {
        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }
}
