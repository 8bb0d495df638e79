package dev.limits.jdbc.internal;

import dev.limits.spi.Charge;
import dev.limits.spi.ConsumeRequest;
import dev.limits.spi.ConsumeResult;
import dev.limits.spi.Slot;
import java.util.ArrayList;
import java.util.List;

/**
 * Carries a consume request into the H2 function and its result back as text: numbers end with
 * {@code ;}, strings are length-prefixed ({@code 5:alice}), so keys may hold any character.
 */
public final class RequestCodec {

  private RequestCodec() {}

  public static String encode(ConsumeRequest request) {
    StringBuilder sb = new StringBuilder(64 + 48 * request.charges().size());
    number(sb, request.mode().code());
    number(sb, request.subjects().size());
    for (String subject : request.subjects()) {
      string(sb, subject);
    }
    if (request.operationId() == null) {
      number(sb, -1);
    } else {
      string(sb, request.operationId());
    }
    number(sb, request.expiresAt());
    number(sb, request.now());
    number(sb, request.charges().size());
    for (Charge charge : request.charges()) {
      Slot slot = charge.slot();
      number(sb, charge.subject());
      string(sb, slot.key());
      number(sb, slot.start());
      number(sb, slot.end());
      number(sb, slot.lookback());
      number(sb, charge.limit());
      number(sb, charge.amount());
    }
    return sb.toString();
  }

  public static ConsumeRequest decode(String text) {
    Reader in = new Reader(text);
    ConsumeRequest.Mode mode = ConsumeRequest.Mode.ofCode((int) in.number());
    int subjectCount = (int) in.number();
    List<String> subjects = new ArrayList<>(subjectCount);
    for (int i = 0; i < subjectCount; i++) {
      subjects.add(in.string());
    }
    String id = in.peekNull() ? null : in.string();
    long expiresAt = in.number();
    long now = in.number();
    int n = (int) in.number();
    List<Charge> charges = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int subject = (int) in.number();
      String key = in.string();
      long start = in.number();
      long end = in.number();
      int lookback = (int) in.number();
      long limit = in.number();
      long amount = in.number();
      charges.add(new Charge(subject, new Slot(key, start, end, lookback), limit, amount));
    }
    return new ConsumeRequest(subjects, charges, mode, id, expiresAt, now);
  }

  public static String encode(ConsumeResult result) {
    StringBuilder sb = new StringBuilder();
    number(sb, result.status().code());
    for (int i = 0; i < result.size(); i++) {
      number(sb, result.used(i));
      number(sb, result.fits(i) ? 1 : 0);
    }
    return sb.toString();
  }

  public static ConsumeResult decodeResult(String text, int n) {
    Reader in = new Reader(text);
    ConsumeResult.Status status = ConsumeResult.Status.ofCode((int) in.number());
    long[] used = new long[n];
    boolean[] fits = new boolean[n];
    for (int i = 0; i < n; i++) {
      used[i] = in.number();
      fits[i] = in.number() == 1;
    }
    return ConsumeResult.of(status, used, fits);
  }

  private static void number(StringBuilder sb, long value) {
    sb.append(value).append(';');
  }

  private static void string(StringBuilder sb, String value) {
    sb.append(value.length()).append(':').append(value);
  }

  private static final class Reader {
    final String text;
    int pos;

    Reader(String text) {
      this.text = text;
    }

    long number() {
      int end = text.indexOf(';', pos);
      long value = Long.parseLong(text.substring(pos, end));
      pos = end + 1;
      return value;
    }

    boolean peekNull() {
      if (text.startsWith("-1;", pos)) {
        pos += 3;
        return true;
      }
      return false;
    }

    String string() {
      int colon = text.indexOf(':', pos);
      int length = Integer.parseInt(text.substring(pos, colon));
      String value = text.substring(colon + 1, colon + 1 + length);
      pos = colon + 1 + length;
      return value;
    }
  }
}
