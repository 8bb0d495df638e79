package dev.limits.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.limits.spi.Charge;
import dev.limits.spi.ConsumeRequest;
import dev.limits.spi.ConsumeRequest.Mode;
import dev.limits.spi.ConsumeResult;
import dev.limits.spi.ConsumeResult.Status;
import dev.limits.spi.Slot;
import io.lettuce.core.RedisClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the Redis store promises beyond the contract, on the shared standalone server: the key layout README
 * shows, keys that expire after their latest period, exact counting across 2^53 (where Lua's doubles stop
 * being exact), a script the server forgot, and the builder's checks.
 */
class RedisUsageCounterFeatureTest {

  private static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
  private static final long HOUR = 3_600_000L;
  private static final long DAY = 24 * HOUR;
  private static final long TWO_53 = 1L << 53;

  private static final RedisClient CLIENT = RedisServers.standaloneClient();
  private static final RedisUsageCounter COUNTER =
      RedisUsageCounter.builder(CLIENT).timeout(Duration.ofSeconds(20)).build();

  private static int port() {
    return RedisServers.standalone().port;
  }

  @BeforeEach
  void flush() {
    RedisServers.cli(port(), "FLUSHALL");
  }

  @AfterAll
  static void close() {
    COUNTER.close();
    CLIENT.shutdown();
  }

  private static Slot day(String metric) {
    return new Slot(metric + "@day", T0, T0 + DAY, 0);
  }

  private static ConsumeResult consume(Mode mode, Charge... charges) {
    return COUNTER.consume(new ConsumeRequest("user-42", List.of(charges), mode, null, 0, T0 + HOUR));
  }

  @Test
  void aUsersUsageReadsWithRedisCli() {
    consume(Mode.ENFORCE, new Charge(day("tokens"), 50_000, 1_200));

    assertThat(RedisServers.cli(port(), "HGET", "limits:{user-42}c:user-42", "tokens@day").trim())
        .isEqualTo("0 " + T0 + " " + (T0 + DAY) + " 1200");
    assertThat(RedisServers.cli(port(), "HGETALL", "limits:{user-42}c:user-42")).contains("tokens@day");
  }

  @Test
  void keysExpireAfterTheirLatestPeriodAndLifetimeCellsNever() {
    consume(Mode.ENFORCE, new Charge(day("tokens"), 50_000, 1));
    long ttl = Long.parseLong(RedisServers.cli(port(), "PTTL", "limits:{user-42}c:user-42").trim());
    // Kept until no zone's day can overlap it: the day, then its length and a day more, from now.
    long keptUntil = Slot.calendarCellKeptUntil(T0, T0 + DAY);
    assertThat(ttl).isBetween(keptUntil - (T0 + HOUR) - 60_000, keptUntil - (T0 + HOUR));

    consume(Mode.ENFORCE, new Charge(new Slot("codes@lifetime", 0, Long.MAX_VALUE, 0), 1, 1));
    assertThat(RedisServers.cli(port(), "PTTL", "limits:{user-42}c:user-42").trim()).isEqualTo("-1");
    consume(Mode.ENFORCE, new Charge(day("tokens"), 50_000, 1));
    assertThat(RedisServers.cli(port(), "PTTL", "limits:{user-42}c:user-42").trim()).isEqualTo("-1");
  }

  @Test
  void countsExactlyAcrossTwoToThe53() {
    Slot slot = day("cost");
    consume(Mode.FORCE, new Charge(slot, 0, TWO_53 - 1));
    assertResult(consume(Mode.ENFORCE, new Charge(slot, TWO_53 + 1, 1)), Status.APPLIED, TWO_53);
    // 2^53 + 1 is no double: a script that computed in doubles would see 2^53 + 1 == 2^53 and let it fit.
    assertResult(consume(Mode.ENFORCE, new Charge(slot, TWO_53, 1)), Status.DENIED, TWO_53);
    assertResult(consume(Mode.ENFORCE, new Charge(slot, TWO_53 + 1, 1)), Status.APPLIED, TWO_53 + 1);
    assertResult(consume(Mode.ENFORCE, new Charge(slot, TWO_53 + 1, 1)), Status.DENIED, TWO_53 + 1);
    assertResult(consume(Mode.CHECK, new Charge(slot, TWO_53 + 2, 0)), Status.APPLIED, TWO_53 + 1);
    assertResult(consume(Mode.FORCE, new Charge(slot, 0, Long.MAX_VALUE - TWO_53 - 3)), Status.APPLIED,
        Long.MAX_VALUE - 2);
    assertResult(consume(Mode.REFUND, new Charge(slot, 0, TWO_53 + 3)), Status.APPLIED,
        Long.MAX_VALUE - TWO_53 - 5);
    assertThat(RedisServers.cli(port(), "HGET", "limits:{user-42}c:user-42", "cost@day").trim())
        .endsWith(" " + (Long.MAX_VALUE - TWO_53 - 5));
  }

  @Test
  void aServerThatForgotTheScriptsGetsThemAgain() {
    consume(Mode.ENFORCE, new Charge(day("tokens"), 10, 3));
    RedisServers.cli(port(), "SCRIPT", "FLUSH");

    assertResult(consume(Mode.ENFORCE, new Charge(day("tokens"), 10, 3)), Status.APPLIED, 6);
    assertThat(COUNTER.snapshot("user-42", T0 + HOUR)).hasSize(1);
  }

  @Test
  void theKeyPrefixIsTheHostsChoice() {
    try (RedisUsageCounter other = RedisUsageCounter.builder(CLIENT).keyPrefix("app2:").build()) {
      other.consume(new ConsumeRequest("user-42", List.of(new Charge(day("tokens"), 10, 4)), Mode.ENFORCE, null,
          0, T0));
      assertThat(other.keyPrefix()).isEqualTo("app2:");
      assertThat(RedisServers.cli(port(), "HGET", "app2:{user-42}c:user-42", "tokens@day")).contains(" 4");
    }
    assertResult(consume(Mode.CHECK, new Charge(day("tokens"), 10, 0)), Status.APPLIED, 0);
  }

  @Test
  void aTenantIsTheHashTagOfItsSubjectsKeys() {
    try (RedisUsageCounter byOrg = RedisUsageCounter.builder(CLIENT).tenantOf(s -> "acme}corp").build()) {
      byOrg.consume(new ConsumeRequest(List.of("user-42", "org-acme"), List.of(new Charge(0, day("tokens"), 10, 4),
          new Charge(1, day("tokens"), 100, 4)), Mode.ENFORCE, null, 0, T0));
      assertThat(RedisServers.cli(port(), "HGET", "limits:{acme%7Dcorp}c:org-acme", "tokens@day")).contains(" 4");
    }
  }

  @Test
  void theBuilderChecksEachSettingAtOnce() {
    RedisUsageCounter.Builder builder = RedisUsageCounter.builder(CLIENT);
    assertThatThrownBy(() -> builder.keyPrefix("a{b")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a{b");
    assertThatThrownBy(() -> builder.keyPrefix(null)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("prefix");
    assertThatThrownBy(() -> builder.timeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("PT0S");
    assertThatThrownBy(() -> builder.tenantOf(null)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("tenantOf");
    assertThatThrownBy(() -> RedisUsageCounter.builder((RedisClient) null)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("client");
    assertThatThrownBy(() -> COUNTER.purge(T0, 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("0");
  }

  @Test
  void aCounterBuiltFromAUriOwnsItsClient() {
    try (RedisUsageCounter own = RedisUsageCounter.builder(RedisServers.standalone().uri()).build()) {
      own.consume(new ConsumeRequest("user-7", List.of(new Charge(day("tokens"), 10, 2)), Mode.ENFORCE, null, 0,
          T0));
      assertThat(own.snapshot("user-7", T0)).hasSize(1);
    }
  }

  static void assertResult(ConsumeResult result, Status status, long used) {
    assertThat(result.status()).as("status of %s", result).isEqualTo(status);
    assertThat(result.used(0)).as("used of %s", result).isEqualTo(used);
  }
}
