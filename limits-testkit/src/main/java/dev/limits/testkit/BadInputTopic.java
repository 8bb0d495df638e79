package dev.limits.testkit;

import static dev.limits.testkit.UsageCounterContract.HOUR;
import static dev.limits.testkit.UsageCounterContract.MINUTE;
import static dev.limits.testkit.UsageCounterContract.SUBJECT;
import static dev.limits.testkit.UsageCounterContract.T0;
import static dev.limits.testkit.UsageCounterContract.charge;
import static dev.limits.testkit.UsageCounterContract.day;
import static dev.limits.testkit.UsageCounterContract.hour;
import static dev.limits.testkit.UsageCounterContract.rolling;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.limits.Decision;
import dev.limits.LimitPolicy;
import dev.limits.LimitRequest;
import dev.limits.Limiter;
import dev.limits.Metric;
import dev.limits.Window;
import dev.limits.spi.ConsumeRequest;
import dev.limits.spi.ConsumeRequest.Mode;
import dev.limits.spi.ConsumeResult.Status;
import dev.limits.spi.SettleRequest;
import dev.limits.spi.SettleResult;
import dev.limits.spi.Slot;
import dev.limits.spi.SlotUsage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/**
 * Bad input: every malformed request is rejected with a message naming the bad value, before any counter
 * changes, and a value a store could fold into another is either rejected or kept apart.
 */
abstract class BadInputTopic extends ContractTopic {

  private static final Slot BAD_INPUT_SLOT = hour("messages", T0);

  BadInputTopic(UsageCounterContract contract) {
    super(contract);
  }

  private void someUsage() {
    consume(Mode.ENFORCE, "op-0", T0, charge(BAD_INPUT_SLOT, 10, 3));
    reserve("r-0", T0 + HOUR, T0, charge(day("tokens", T0), 100, 40));
  }

  private void assertRejected(Class<? extends Throwable> type, String fragment, ThrowingCallable call) {
    List<SlotUsage> before = counter.snapshot(SUBJECT, T0);
    assertThatThrownBy(call).isInstanceOf(type).hasMessageContaining(fragment);
    assertThat(counter.snapshot(SUBJECT, T0)).containsExactlyInAnyOrderElementsOf(before);
    assertThat(used(BAD_INPUT_SLOT, T0)).isEqualTo(3);
    assertThat(used(day("tokens", T0), T0)).isEqualTo(40);
  }

  private void consumeFor(String subject) {
    counter.consume(
        new ConsumeRequest(subject, List.of(charge(BAD_INPUT_SLOT, 10, 1)), Mode.ENFORCE, null, 0, T0));
  }

  @Test
  @SuppressWarnings("NullAway") // passes null on purpose: the store must reject it
  void nullRequestsAreRejected() {
    someUsage();

    assertRejected(NullPointerException.class, "request", () -> counter.consume(null));
    assertRejected(NullPointerException.class, "request", () -> counter.settle(null));
    assertRejected(NullPointerException.class, "subject", () -> counter.snapshot(null, T0));
  }

  @Test
  @SuppressWarnings("NullAway") // passes null on purpose: the store must reject it
  void malformedSubjectsAreRejected() {
    someUsage();
    String tooLong = "s".repeat(ConsumeRequest.MAX_SUBJECT_LENGTH + 1);

    assertRejected(NullPointerException.class, "subject", () -> consumeFor(null));
    assertRejected(IllegalArgumentException.class, "empty", () -> consumeFor(""));
    assertRejected(IllegalArgumentException.class, String.valueOf(tooLong.length()), () -> consumeFor(tooLong));
    assertRejected(IllegalArgumentException.class, "control", () -> consumeFor("user\n1"));
    assertRejected(IllegalArgumentException.class, String.valueOf(tooLong.length()),
        () -> counter.snapshot(tooLong, T0));
    assertRejected(IllegalArgumentException.class, "empty", () -> counter.snapshot("", T0));
    assertRejected(IllegalArgumentException.class, String.valueOf(tooLong.length()),
        () -> counter.settle(new SettleRequest(tooLong, "r-0", new long[] {0}, T0)));
  }

  @Test
  void aSubjectOfTheLongestAllowedLengthIsAccepted() {
    someUsage();
    String longest = "s".repeat(ConsumeRequest.MAX_SUBJECT_LENGTH);
    consumeFor(longest);

    assertThat(used(longest, BAD_INPUT_SLOT, T0)).isEqualTo(1);
    assertThat(counter.snapshot(longest, T0)).containsExactly(new SlotUsage(BAD_INPUT_SLOT.key(), T0, 1));
  }

  @Test
  void negativeAmountsAndLimitsAreRejected() {
    someUsage();

    assertRejected(IllegalArgumentException.class, "-5",
        () -> consume(Mode.ENFORCE, T0, charge(BAD_INPUT_SLOT, 10, -5)));
    assertRejected(IllegalArgumentException.class, "-10",
        () -> consume(Mode.REFUND, T0, charge(BAD_INPUT_SLOT, -10, 1)));
    assertRejected(IllegalArgumentException.class, "-3", () -> settle("r-0", T0, -3));
  }

  @Test
  @SuppressWarnings("NullAway") // passes null on purpose: the store must reject it
  void emptyAndNullChargesAreRejected() {
    someUsage();

    assertRejected(IllegalArgumentException.class, "charge",
        () -> counter.consume(new ConsumeRequest(SUBJECT, List.of(), Mode.ENFORCE, null, 0, T0)));
    assertRejected(NullPointerException.class, "charges",
        () -> counter.consume(new ConsumeRequest(SUBJECT, null, Mode.ENFORCE, null, 0, T0)));
    assertRejected(NullPointerException.class, "mode",
        () -> counter.consume(
            new ConsumeRequest(SUBJECT, List.of(charge(BAD_INPUT_SLOT, 10, 1)), null, null, 0, T0)));
  }

  @Test
  void twoChargesOnOneKeyAreRejected() {
    someUsage();

    assertRejected(IllegalArgumentException.class, BAD_INPUT_SLOT.key(),
        () -> consume(Mode.ENFORCE, T0, charge(BAD_INPUT_SLOT, 10, 1), charge(BAD_INPUT_SLOT, 10, 1)));
  }

  @Test
  @SuppressWarnings("NullAway") // passes null on purpose: the store must reject it
  void badOperationIdsAreRejected() {
    someUsage();
    String tooLong = "o".repeat(ConsumeRequest.MAX_OPERATION_ID_LENGTH + 1);

    assertRejected(NullPointerException.class, "operationId", () -> reserve(null, T0 + HOUR, T0,
        charge(BAD_INPUT_SLOT, 10, 1)));
    assertRejected(IllegalArgumentException.class, tooLong, () -> consume(Mode.ENFORCE, tooLong, T0,
        charge(BAD_INPUT_SLOT, 10, 1)));
    assertRejected(IllegalArgumentException.class, "''", () -> consume(Mode.ENFORCE, "", T0,
        charge(BAD_INPUT_SLOT, 10, 1)));
    assertRejected(IllegalArgumentException.class, tooLong, () -> settle(tooLong, T0, 0));
  }

  @Test
  @SuppressWarnings("NullAway") // passes null on purpose: the store must reject it
  void badSlotsAreRejected() {
    someUsage();
    String tooLong = "k".repeat(Slot.MAX_KEY_LENGTH + 1);

    assertRejected(IllegalArgumentException.class, tooLong,
        () -> consume(Mode.ENFORCE, T0, charge(new Slot(tooLong, T0, T0 + HOUR, 0), 10, 1)));
    assertRejected(IllegalArgumentException.class, "''",
        () -> consume(Mode.ENFORCE, T0, charge(new Slot("", T0, T0 + HOUR, 0), 10, 1)));
    assertRejected(IllegalArgumentException.class, String.valueOf(T0),
        () -> consume(Mode.ENFORCE, T0, charge(new Slot("k", T0, T0, 0), 10, 1)));
    assertRejected(IllegalArgumentException.class, "-1",
        () -> consume(Mode.ENFORCE, T0, charge(new Slot("k", T0, T0 + HOUR, -1), 10, 1)));
    assertRejected(NullPointerException.class, "key",
        () -> consume(Mode.ENFORCE, T0, charge(new Slot(null, T0, T0 + HOUR, 0), 10, 1)));
    assertRejected(NullPointerException.class, "slot", () -> consume(Mode.ENFORCE, T0, charge(null, 10, 1)));
  }

  @Test
  void aKeyOfTheLongestAllowedLengthIsAccepted() {
    Slot longest = new Slot("k".repeat(Slot.MAX_KEY_LENGTH), T0, T0 + HOUR, 0);

    consume(Mode.ENFORCE, T0, charge(longest, 10, 4));
    String longestId = "o".repeat(ConsumeRequest.MAX_OPERATION_ID_LENGTH);
    consume(Mode.ENFORCE, longestId, T0, charge(longest, 10, 4));
    consume(Mode.ENFORCE, longestId, T0, charge(longest, 10, 4));

    assertThat(used(longest, T0)).isEqualTo(8);
    assertThat(snapshot(SUBJECT, T0)).containsEntry(longest.key(), new SlotUsage(longest.key(), T0, 8));
  }

  // Every string that reaches a store is checked before it does: a value a store would refuse or fold into
  // another (a NUL, a control character, an unpaired surrogate that a driver writes as '?') must fail as bad
  // input, never as a storage failure (which a fail-open limiter answers by allowing), and never count.

  /** Strings no store receives: control characters (NUL included) and ill-formed UTF-16. */
  private static final List<String> UNSTORABLE = List.of("u\u0000", "\u0000", "u\u0007x", "u\u007f", "u\u0085",
      "s\uD800", "s\uDBFF", "\uDC00s", "s\uDFFF\uD800", "s\uD83D");

  @Test
  void controlCharactersAndUnpairedSurrogatesAreRejectedInSubjectsOperationIdsAndKeys() {
    someUsage();

    for (String bad : UNSTORABLE) {
      assertRejected(IllegalArgumentException.class, "subject", () -> consumeFor(bad));
      assertRejected(IllegalArgumentException.class, "subject", () -> counter.snapshot(bad, T0));
      assertRejected(IllegalArgumentException.class, "subject",
          () -> counter.settle(new SettleRequest(bad, "r-0", new long[] {0}, T0)));
      assertRejected(IllegalArgumentException.class, "operation id",
          () -> consume(Mode.ENFORCE, bad, T0, charge(BAD_INPUT_SLOT, 10, 1)));
      assertRejected(IllegalArgumentException.class, "operation id",
          () -> reserve(bad, T0 + HOUR, T0, charge(BAD_INPUT_SLOT, 10, 1)));
      assertRejected(IllegalArgumentException.class, "operation id", () -> settle(bad, T0, 0));
      assertRejected(IllegalArgumentException.class, "key",
          () -> consume(Mode.ENFORCE, T0, charge(new Slot(bad, T0, T0 + HOUR, 0), 10, 1)));
    }
    // The message shows the value readably, the offending character escaped.
    assertRejected(IllegalArgumentException.class, "'u\\u0000'", () -> consumeFor("u\u0000"));
    assertRejected(IllegalArgumentException.class, "'k\\u0000'",
        () -> consume(Mode.ENFORCE, "k\u0000", T0, charge(BAD_INPUT_SLOT, 10, 1)));
    assertRejected(IllegalArgumentException.class, "'s\\uD800'",
        () -> consume(Mode.ENFORCE, T0, charge(new Slot("s\uD800", T0, T0 + HOUR, 0), 10, 1)));
  }

  @Test
  void blankSubjectsOperationIdsAndKeysAreRejected() {
    someUsage();

    for (String blank : List.of(" ", "   ", "\u2003")) {
      assertRejected(IllegalArgumentException.class, "subject", () -> consumeFor(blank));
      assertRejected(IllegalArgumentException.class, "operation id",
          () -> consume(Mode.ENFORCE, blank, T0, charge(BAD_INPUT_SLOT, 10, 1)));
      assertRejected(IllegalArgumentException.class, "key",
          () -> consume(Mode.ENFORCE, T0, charge(new Slot(blank, T0, T0 + HOUR, 0), 10, 1)));
    }
  }

  /**
   * Returns a limiter over the store under test, failing open, with a clock at {@link UsageCounterContract#T0}.
   *
   * @return the limiter
   */
  private Limiter failOpenLimiter() {
    return Limiter.builder(counter).clock(FakeClock.at(Instant.ofEpochMilli(T0))).failOpen(true).build();
  }

  private static final Metric INPUT_MESSAGES = Metric.count("messages");
  private static final LimitPolicy INPUT_POLICY =
      LimitPolicy.builder("input").quota(INPUT_MESSAGES, Window.day(), 5).build();

  private long usedMessages(Limiter limiter, String subject) {
    return limiter.usage(INPUT_POLICY, subject).quota("messages@day").orElseThrow().used();
  }

  @Test
  void aFailOpenLimiterNeverAllowsAnUnstorableIdempotencyKeyOrSubject() {
    Limiter limiter = failOpenLimiter();

    for (int i = 0; i < 10; i++) {
      String nul = "k\u0000" + i;
      String lone = "i" + (char) (0xD800 + i);
      String loneSubject = "u" + (char) (0xDC00 + i);
      assertThatThrownBy(() -> limiter.consume(INPUT_POLICY,
          LimitRequest.of("u").amount(INPUT_MESSAGES, 1).idempotencyKey(nul)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("idempotency key");
      assertThatThrownBy(() -> limiter.acquire(INPUT_POLICY,
          LimitRequest.of("u").amount(INPUT_MESSAGES, 1).idempotencyKey(lone)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("idempotency key");
      assertThatThrownBy(() -> limiter.consume(INPUT_POLICY,
          LimitRequest.of(loneSubject).amount(INPUT_MESSAGES, 1)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("subject");
    }

    assertThat(usedMessages(limiter, "u")).isZero();
    for (int i = 0; i < 5; i++) {
      assertThat(limiter.consume(INPUT_POLICY, LimitRequest.of("u").amount(INPUT_MESSAGES, 1)
          .idempotencyKey("k" + i)).isAllowed()).isTrue();
    }
    assertThat(limiter.consume(INPUT_POLICY, LimitRequest.of("u").amount(INPUT_MESSAGES, 1)
        .idempotencyKey("k5")).isAllowed()).isFalse();
    assertThat(usedMessages(limiter, "u")).isEqualTo(5);
  }

  @Test
  void subjectsAndKeysWithUnpairedSurrogatesCannotBeUsedSoCannotShareACell() {
    Limiter limiter = failOpenLimiter();

    for (String subject : List.of("s\uD800", "s\uDBFF")) {
      assertThatThrownBy(() -> LimitRequest.of(subject)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("subject");
      assertThatThrownBy(() -> limiter.usage(INPUT_POLICY, subject)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("subject");
    }
    for (String key : List.of("i\uD800", "i\uDBFF")) {
      assertThatThrownBy(() -> LimitRequest.of("u").idempotencyKey(key))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("idempotency key");
    }
    // Well-formed pairs that differ only in their low surrogate are two subjects and two calls.
    limiter.consume(INPUT_POLICY, LimitRequest.of("s\uD83D\uDE00").amount(INPUT_MESSAGES, 1).idempotencyKey("i\uD83D\uDE00"));
    limiter.consume(INPUT_POLICY, LimitRequest.of("s\uD83D\uDE00").amount(INPUT_MESSAGES, 1).idempotencyKey("i\uD83D\uDE01"));
    limiter.consume(INPUT_POLICY, LimitRequest.of("s\uD83D\uDE01").amount(INPUT_MESSAGES, 3));

    assertThat(usedMessages(limiter, "s\uD83D\uDE00")).isEqualTo(2);
    assertThat(usedMessages(limiter, "s\uD83D\uDE01")).isEqualTo(3);
  }

  /**
   * Subjects and keys that a collation, a driver or an array literal could fold together or misread: case,
   * composed and decomposed accents, a no-break space, supplementary characters (4 bytes in UTF-8),
   * noncharacters, SQL and array syntax, and the longest subject of 3-byte characters. (A trailing space,
   * which a PAD SPACE collation ignores, is refused instead: see the test after these.)
   */
  private static final List<String> FOLDABLE = List.of("s", "S", "s\u00A0", "\u00E9", "e\u0301", "\u00DF", "ss",
      "NULL", "null", "\"q\"", "a\\b", "{x,y}", "x'y", "s;--", "\uD83D\uDE00", "\uD83D\uDE01", "s\uFFFE", "s\uFFFF",
      "\u20AC".repeat(ConsumeRequest.MAX_SUBJECT_LENGTH),
      "\uD83D\uDE00".repeat(ConsumeRequest.MAX_SUBJECT_LENGTH / 2) + "s");

  @Test
  void subjectsThatACollationCouldFoldStaySeparateCells() {
    Limiter limiter = failOpenLimiter();
    LimitPolicy policy = LimitPolicy.builder("fold").quota(INPUT_MESSAGES, Window.day(), 1000).build();

    for (int i = 0; i < FOLDABLE.size(); i++) {
      Decision d = limiter.consume(policy, LimitRequest.of(FOLDABLE.get(i)).amount(INPUT_MESSAGES, i + 1));
      assertThat(d.outcome()).as("consume for %s", FOLDABLE.get(i)).isEqualTo(Decision.Outcome.ALLOWED);
    }

    for (int i = 0; i < FOLDABLE.size(); i++) {
      assertThat(limiter.usage(policy, FOLDABLE.get(i)).quota("messages@day").orElseThrow().used())
          .as("usage of %s", FOLDABLE.get(i)).isEqualTo(i + 1);
      assertThat(used(FOLDABLE.get(i), day("messages", T0), T0)).as("cell of %s", FOLDABLE.get(i))
          .isEqualTo(i + 1);
    }
  }

  @Test
  void idempotencyKeysThatACollationCouldFoldAreDistinctCalls() {
    Limiter limiter = failOpenLimiter();
    LimitPolicy policy = LimitPolicy.builder("fold").quota(INPUT_MESSAGES, Window.day(), 1000).build();
    List<String> keys = new ArrayList<>();
    for (String value : FOLDABLE) {
      keys.add(value.length() > 100 ? value.substring(0, 100) : value); // the longest key a request takes
    }

    for (String key : keys) {
      assertThat(limiter.consume(policy, LimitRequest.of("u").amount(INPUT_MESSAGES, 1).idempotencyKey(key))
          .outcome()).as("consume with key %s", key).isEqualTo(Decision.Outcome.ALLOWED);
    }
    for (String key : keys) { // retries: each counted once
      limiter.consume(policy, LimitRequest.of("u").amount(INPUT_MESSAGES, 1).idempotencyKey(key));
    }

    assertThat(limiter.usage(policy, "u").quota("messages@day").orElseThrow().used()).isEqualTo(keys.size());
  }

  @Test
  void aTrailingOrLeadingSpaceIsRejectedRatherThanFoldedIntoTheTrimmedValue() {
    someUsage();
    Limiter limiter = failOpenLimiter();

    for (String spaced : List.of("user-1 ", " user-1", "user-1\u3000")) {
      assertRejected(IllegalArgumentException.class, "whitespace", () -> consumeFor(spaced));
      assertRejected(IllegalArgumentException.class, "whitespace",
          () -> consume(Mode.ENFORCE, spaced, T0, charge(BAD_INPUT_SLOT, 10, 1)));
      assertRejected(IllegalArgumentException.class, "whitespace",
          () -> consume(Mode.ENFORCE, T0, charge(new Slot("messages@hour ", T0, T0 + HOUR, 0), 10, 1)));
      assertRejected(IllegalArgumentException.class, "whitespace", () -> LimitRequest.of(spaced));
      assertRejected(IllegalArgumentException.class, "whitespace",
          () -> LimitRequest.of("u").idempotencyKey(spaced));
      assertRejected(IllegalArgumentException.class, "whitespace", () -> limiter.usage(INPUT_POLICY, spaced));
    }
    // Inner spaces are fine, and a subject with one is a subject of its own.
    consumeFor("user 1");
    assertThat(used("user 1", BAD_INPUT_SLOT, T0)).isEqualTo(1);
    assertThat(used(BAD_INPUT_SLOT, T0)).isEqualTo(3);
  }

  @Test
  void settlementsAndRollingSumsNearTheLargestAmountSaturateInsteadOfFailing() {
    // A caller's amount is any long of zero or more: no sum of them may overflow into a storage failure.
    Slot hour = hour("m", T0);
    consume(Mode.FORCE, T0, charge(hour, 0, 13));
    reserve("up", T0 + HOUR, T0, charge(hour, Long.MAX_VALUE, 10));
    assertThat(settle("up", T0, Long.MAX_VALUE)).isEqualTo(SettleResult.SETTLED);
    assertThat(used(hour, T0)).isEqualTo(Long.MAX_VALUE);

    Slot first = rolling("m", T0, MINUTE, 5);
    Slot second = rolling("m", T0 + MINUTE, MINUTE, 5);
    consume(Mode.FORCE, T0, charge(first, 0, Long.MAX_VALUE - 1));
    reserve("big", T0 + HOUR, T0 + MINUTE, charge(second, Long.MAX_VALUE, 0));
    assertThat(settle("big", T0 + MINUTE, Long.MAX_VALUE)).isEqualTo(SettleResult.SETTLED);
    assertThat(used(second, T0 + MINUTE)).isEqualTo(Long.MAX_VALUE);
    assertResult(consume(Mode.ENFORCE, T0 + MINUTE, charge(second, Long.MAX_VALUE, 1)), Status.DENIED,
        longs(Long.MAX_VALUE), bools(false));
    consume(Mode.REFUND, T0 + MINUTE, charge(second, 0, Long.MAX_VALUE));
    assertThat(used(second, T0 + MINUTE)).isEqualTo(Long.MAX_VALUE - 1);
  }
}
