package dev.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.limits.spi.Charge;
import dev.limits.spi.ConsumeRequest;
import dev.limits.spi.ConsumeRequest.Mode;
import dev.limits.spi.ConsumeResult;
import dev.limits.spi.SettleRequest;
import dev.limits.spi.SettleResult;
import dev.limits.spi.Slot;
import dev.limits.spi.SlotUsage;
import dev.limits.spi.StorageException;
import dev.limits.spi.UsageCounter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/**
 * Every string that reaches a store, or names what does, is checked by one rule where it enters, before any
 * counter sees it; bad input is an {@link IllegalArgumentException} naming the value, never a storage
 * failure that a fail-open limiter answers by allowing.
 */
class InputValidationTest {

  static final Metric MESSAGES = Metric.count("messages");
  static final Instant NOW = Instant.parse("2026-03-02T10:15:00Z");
  static final LimitPolicy PLAN = LimitPolicy.builder("free").quota(MESSAGES, Window.day(), 5).build();

  /** Each bad value and the readable form its message must show. */
  static final Map<String, String> BAD = Map.ofEntries(
      Map.entry("", "''"),
      Map.entry(" ", "blank"),
      Map.entry("   ", "blank"),
      Map.entry("\u2003", "'\\u2003'"),
      Map.entry("k\u0000", "'k\\u0000'"),
      Map.entry("\u0000", "'\\u0000'"),
      Map.entry("a\nb", "'a\\u000Ab'"),
      Map.entry("a\u007f", "'a\\u007F'"),
      Map.entry("a\u0085", "'a\\u0085'"),
      Map.entry("s\uD800", "'s\\uD800'"),
      Map.entry("s\uDBFF", "'s\\uDBFF'"),
      Map.entry("\uDC00s", "'\\uDC00s'"),
      Map.entry("s\uDE00\uD83D", "'s\\uDE00\\uD83D'"),
      Map.entry("u-1 ", "'u-1 '"),
      Map.entry(" u-1", "' u-1'"),
      Map.entry("u-1\u3000", "'u-1\\u3000'"),
      Map.entry("x".repeat(10_000), "10000"));

  /** Asserts that {@code call} throws an IllegalArgumentException naming {@code what} and showing the value. */
  static void assertBad(String what, String shown, ThrowingCallable call) {
    assertThatThrownBy(call).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(what)
        .hasMessageContaining(shown).satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(400));
  }

  static void forEachBad(Consumer<Map.Entry<String, String>> test) {
    BAD.entrySet().forEach(test);
  }

  final UsageCounter memory = UsageCounters.inMemory();
  final Limiter limiter = Limiter.builder(memory).clock(() -> NOW).build();

  @Test
  void everyRequestStringIsCheckedWhereItIsSet() {
    forEachBad(bad -> {
      assertBad("subject", bad.getValue(), () -> LimitRequest.of(bad.getKey()));
      assertBad("model", bad.getValue(), () -> LimitRequest.of("u").model(bad.getKey()));
      assertBad("idempotency key", bad.getValue(), () -> LimitRequest.of("u").idempotencyKey(bad.getKey()));
      if (!bad.getKey().isEmpty()) { // a file name without an extension has an empty one
        assertBad("file extension", bad.getValue(), () -> LimitRequest.of("u").file(10, bad.getKey()));
      }
      assertBad("subject", bad.getValue(), () -> limiter.usage(PLAN, bad.getKey()));
      assertBad("subject", bad.getValue(), () -> limiter.usage(PLAN, bad.getKey(), ZoneOffset.UTC));
    });
  }

  @Test
  void everySpiValueIsCheckedByTheSameRule() {
    Slot slot = new Slot("messages@day", 0, 1000, 0);
    List<Charge> charges = List.of(new Charge(slot, 5, 1));
    forEachBad(bad -> {
      assertBad("subject", bad.getValue(), () -> ConsumeRequest.requireSubject(bad.getKey()));
      assertBad("operation id", bad.getValue(), () -> ConsumeRequest.requireOperationId(bad.getKey()));
      assertBad("subject", bad.getValue(),
          () -> new ConsumeRequest(bad.getKey(), charges, Mode.ENFORCE, null, 0, 0));
      assertBad("operation id", bad.getValue(),
          () -> new ConsumeRequest("u", charges, Mode.RESERVE, bad.getKey(), 10, 0));
      assertBad("subject", bad.getValue(), () -> new SettleRequest(bad.getKey(), "op", new long[] {1}, 0));
      assertBad("operation id", bad.getValue(), () -> new SettleRequest("u", bad.getKey(), new long[] {1}, 0));
      assertBad("counter key", bad.getValue(), () -> new Slot(bad.getKey(), 0, 1000, 0));
      assertBad("subject", bad.getValue(), () -> memory.snapshot(bad.getKey(), 0));
    });
  }

  @Test
  void modelGroupNamesAndTheirModelsAreChecked() {
    assertBad("model group name", "'g\\uD800'", () -> ModelGroup.of("g\uD800", "gpt-4o"));
    assertBad("model group name", "'g\\u0085'", () -> ModelGroup.of("g\u0085", "gpt-4o"));
    assertBad("model group name", "blank", () -> ModelGroup.of(" ", "gpt-4o"));
    assertBad("model of group 'g'", "'gpt\\u0000'", () -> ModelGroup.of("g", "gpt\u0000"));
    assertBad("model", "'gpt\\uDBFF'", () -> ModelGroup.model("gpt\uDBFF"));
    assertThat(ModelGroup.of("gruppe-\u00FC\uD83D\uDE00", "openai/gpt-4o").name()).isEqualTo("gruppe-\u00FC\uD83D\uDE00");
  }

  @Test
  void wellFormedValuesOfEveryKindAreAccepted() {
    String longest = "\uD83D\uDE00".repeat(ConsumeRequest.MAX_SUBJECT_LENGTH / 2) + "s";
    LimitRequest r = LimitRequest.of(longest).model("openai/gpt-4o mini").idempotencyKey("call 7/\u00E9\u00DF")
        .file(10, "").file(10, ".tar.gz").amount(MESSAGES, 1);

    assertThat(limiter.consume(PLAN, r).isAllowed()).isTrue();
    assertThat(limiter.usage(PLAN, longest).quota("messages@day").orElseThrow().used()).isEqualTo(1);
    for (String ok : List.of("NULL", "a b", "s\u00A0", "e\u0301", "\"q\"", "{x,y}", "x'y", "s\uFFFF")) {
      assertThat(LimitRequest.of(ok).idempotencyKey(ok).model(ok).subject()).isEqualTo(ok);
    }
  }

  /**
   * A counter that refuses what PostgreSQL refuses (22021: NUL, and text that is not valid UTF-8, which an
   * unpaired surrogate becomes) with a storage failure, as a store does when a value reaches it unchecked.
   */
  static final class StrictCounter implements UsageCounter {
    final UsageCounter delegate = UsageCounters.inMemory();

    static void refuse(String value) {
      if (value.codePoints().anyMatch(c -> c == 0 || (c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE))) {
        throw new StorageException("invalid byte sequence for encoding \"UTF8\" (22021)");
      }
    }

    @Override
    public ConsumeResult consume(ConsumeRequest request) {
      refuse(request.subject());
      if (request.operationId() != null) {
        refuse(request.operationId());
      }
      return delegate.consume(request);
    }

    @Override
    public SettleResult settle(SettleRequest request) {
      refuse(request.subject());
      refuse(request.operationId());
      return delegate.settle(request);
    }

    @Override
    public List<SlotUsage> snapshot(String subject, long now) {
      refuse(subject);
      return delegate.snapshot(subject, now);
    }

    @Override
    public int purge(long now, int maxItems) {
      return delegate.purge(now, maxItems);
    }
  }

  @Test
  void aFailOpenLimiterNeverAllowsAValueTheStoreWouldRefuse() {
    Limiter open = Limiter.builder(new StrictCounter()).clock(() -> NOW).failOpen(true).build();

    for (int i = 0; i < 10; i++) {
      String nul = "k\u0000" + i;
      String lone = "i" + (char) (0xD800 + i);
      assertBad("idempotency key", "'k\\u0000" + i + "'",
          () -> open.consume(PLAN, LimitRequest.of("u").amount(MESSAGES, 1).idempotencyKey(nul)));
      assertBad("idempotency key", "unpaired surrogate",
          () -> open.acquire(PLAN, LimitRequest.of("u").amount(MESSAGES, 1).idempotencyKey(lone)));
      assertBad("idempotency key", "k\\u0000",
          () -> open.tryConsume(PLAN, LimitRequest.of("u").amount(MESSAGES, 1).idempotencyKey(nul)));
      assertBad("subject", "unpaired surrogate", () -> open.consume(PLAN, LimitRequest.of(lone).amount(MESSAGES, 1)));
    }

    assertThat(open.usage(PLAN, "u").quota("messages@day").orElseThrow().used()).isZero();
    for (int i = 0; i < 5; i++) {
      assertThat(open.consume(PLAN, LimitRequest.of("u").amount(MESSAGES, 1).idempotencyKey("k" + i)).isAllowed())
          .isTrue();
    }
    assertThat(open.consume(PLAN, LimitRequest.of("u").amount(MESSAGES, 1).idempotencyKey("k5")).isAllowed())
        .isFalse();
  }

  @Test
  void aBlankSubjectIsRefused() {
    assertBad("subject", "blank", () -> LimitRequest.of("  "));
    assertBad("subject", "'\\u0009'", () -> LimitRequest.of("\t")); // a control character, first
    assertBad("subject", "trim", () -> LimitRequest.of(" user-42"));
  }

  @Test
  void aSecondAmountOfOneMetricIsRefusedNotASilentReplacement() {
    LimitRequest one = LimitRequest.of("u").amount(MESSAGES, 1);

    assertBad("'messages'", "(2)", () -> one.amount(MESSAGES, 2));
    assertBad("'messages'", "(1)", () -> one.amount(Metric.count("messages"), 1));
    assertThat(one.amounts().asMap()).containsExactly(Map.entry(MESSAGES, 1L));
    assertThat(limiter.consume(PLAN, one).isAllowed()).isTrue();
    assertThat(limiter.usage(PLAN, "u").quota("messages@day").orElseThrow().used()).isEqualTo(1);
  }

  @Test
  void hourWindowsOfADayOrMorePointToTheWindowThatFits() {
    assertThatThrownBy(() -> Window.hours(24)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Window.day()");
    assertThatThrownBy(() -> Window.hours(48)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Window.rolling(Duration.ofDays(2))");
    assertThatThrownBy(() -> Window.hours(5)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1, 2, 3, 4, 6, 8 or 12").hasMessageContaining("Window.day(), week()");
    assertThatThrownBy(() -> Window.parse("24h")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Window.day()");
    assertThat(Window.hours(1)).isEqualTo(Window.hour());
    assertThat(Window.rolling(Duration.ofDays(2)).id()).isEqualTo("rolling-PT48H/PT4H");
  }
}
