package dev.limits.plans;

import dev.limits.PeriodClock;
import dev.limits.QuotaUsage;
import dev.limits.UsageCounters;
import dev.limits.spi.UsageCounter;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;

/** A gate on an in-memory counter with a hand-moved clock; the testkit's FakeClock is not on this branch yet. */
abstract class GateFixture {

  static final Locale FA = Locale.forLanguageTag("fa");
  static final Locale EN = Locale.ENGLISH;
  static final String ZWNJ = "\u200c";

  /** Monday 2 March 2026, 10:15 UTC. */
  final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-03-02T10:15:00Z"));
  final PeriodClock clock = now::get;
  final UsageCounter counter = UsageCounters.inMemory();
  AiGate gate = AiGate.builder(counter).clock(clock).build();

  void advance(Duration d) {
    now.updateAndGet(t -> t.plus(d));
  }

  void set(String instant) {
    now.set(Instant.parse(instant));
  }

  long used(String user, Plan plan, String quotaId) {
    return usage(user, plan, null, quotaId).used();
  }

  QuotaUsage usage(String user, Plan plan, String chat, String quotaId) {
    return gate.usage(user, plan, chat).stream().filter(u -> u.quota().id().equals(quotaId)).findFirst()
        .orElseThrow(() -> new AssertionError("no quota " + quotaId));
  }

  /** Sends a message and settles it at {@code tokens}. */
  AiPermit send(String user, Plan plan, AiCall call, AiUsage used) {
    AiPermit p = gate.before(user, plan, call);
    if (p.isGranted()) {
      p.commit(used);
    }
    return p;
  }
}
