package dev.limits.plans;

import static dev.limits.testkit.LimitsAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class DiscountCodeTest extends GateFixture {

  boolean redeemNow(String user, DiscountCode code) {
    try (CodeRedemption r = gate.redeem(user, code)) {
      if (r.isGranted()) {
        r.commit();
      }
      return r.isGranted();
    }
  }

  @Test
  void anExpiredCodeIsForbidden() {
    DiscountCode code = DiscountCode.of("NOWRUZ").withExpiry(Instant.parse("2026-03-02T12:00:00Z"));
    assertThat(redeemNow("u1", code)).isTrue();
    set("2026-03-02T12:00:00Z");
    CodeRedemption r = gate.redeem("u2", code);
    assertThat(r.decision()).isForbidden().hasMessageContaining(EN, "This discount code has expired.");
    assertThat(r.message(FA)).hasValue("این کد تخفیف منقضی شده است");
  }

  @Test
  void totalAndPerUserUsesAreLimitedSeparately() {
    DiscountCode code = DiscountCode.of("SPRING").withMaxUses(3).withMaxUsesPerUser(2);
    assertThat(redeemNow("u1", code)).isTrue();
    assertThat(redeemNow("u1", code)).isTrue();
    CodeRedemption third = gate.redeem("u1", code);
    assertThat(third.decision()).isQuotaExceeded().isDeniedBy("code-uses-per-user")
        .hasMessageContaining(EN, "You have already used this discount code (2 times).");
    assertThat(third.decision().retryAfter()).as("waiting never helps a lifetime limit").isEmpty();
    assertThat(HttpLimits.of(third.decision()).retryAfter()).isEmpty();
    assertThat(redeemNow("u2", code)).as("u1's refused third use took nothing from the total").isTrue();
    CodeRedemption usedUp = gate.redeem("u3", code);
    assertThat(usedUp.decision()).isQuotaExceeded().isDeniedBy("code-uses");
    assertThat(usedUp.message(FA)).hasValue("ظرفیت استفاده از این کد تخفیف تمام شده است");
  }

  @Test
  void aCancelledRedemptionGivesTheUseBack() {
    DiscountCode code = DiscountCode.of("ONE").withMaxUses(1);
    CodeRedemption r = gate.redeem("u1", code);
    assertThat(r.isGranted()).isTrue();
    assertThat(gate.redeem("u2", code).isGranted()).as("held while the discount is applied").isFalse();
    r.cancel();
    assertThatThrownBy(r::commit).isInstanceOf(IllegalStateException.class);
    assertThat(redeemNow("u2", code)).isTrue();
    assertThat(redeemNow("u3", code)).isFalse();
  }

  @Test
  void codesWithTheSameUserAndDifferentNamesDoNotShareCounters() {
    assertThat(redeemNow("u1", DiscountCode.of("A/B").withMaxUsesPerUser(1))).isTrue();
    assertThat(redeemNow("B/u1", DiscountCode.of("A").withMaxUsesPerUser(1))).isTrue();
    assertThat(redeemNow("u1", DiscountCode.of("A/B").withMaxUsesPerUser(1))).isFalse();
  }

  @Test
  void codeValuesAreChecked() {
    assertThatThrownBy(() -> DiscountCode.of("")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DiscountCode.of("X").withMaxUses(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThat(DiscountCode.of("X").maxUses()).isEqualTo(Allowance.unlimited());
    assertThat(DiscountCode.of("X").withMaxUses(3).withMaxUsesPerUser(0).maxUsesPerUser()).isEqualTo(Allowance.of(0));
    assertThatThrownBy(() -> DiscountCode.of("x".repeat(65))).isInstanceOf(IllegalArgumentException.class);
  }

  @RepeatedTest(5)
  void manyUsersRaceForTheLastUseAndExactlyOneWins() throws Exception {
    DiscountCode code = DiscountCode.of("LAST").withMaxUses(5).withMaxUsesPerUser(1);
    for (int i = 0; i < 4; i++) {
      assertThat(redeemNow("early-" + i, code)).isTrue();
    }
    assertThat(race(64, i -> "racer-" + i, code)).isEqualTo(1);
    assertThat(redeemNow("late", code)).as("the total is never overshot").isFalse();
  }

  @RepeatedTest(5)
  void usersRefusedPerUserNeverTakeTheLastUseFromOthers() throws Exception {
    DiscountCode code = DiscountCode.of("MIXED").withMaxUses(2).withMaxUsesPerUser(1);
    assertThat(redeemNow("greedy", code)).isTrue();
    // Half the racers are the user who already used the code: refused on their own counter, they never hold the
    // last use, so the one other racer who reserves it first gets it.
    int winners = race(64, i -> i % 2 == 0 ? "greedy" : "racer-" + i, code);
    assertThat(winners).isEqualTo(1);
    assertThat(redeemNow("late", code)).isFalse();
    assertThat(redeemNow("greedy", code)).isFalse();
  }

  @RepeatedTest(3)
  void oneUserRacingThemselvesGetsTheirOneUse() throws Exception {
    DiscountCode code = DiscountCode.of("SELF").withMaxUses(100).withMaxUsesPerUser(1);
    assertThat(race(32, i -> "same", code)).isEqualTo(1);
  }

  private int race(int threads, java.util.function.IntFunction<String> user, DiscountCode code) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Boolean>> results = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      String u = user.apply(i);
      results.add(pool.submit(() -> {
        start.await();
        return redeemNow(u, code);
      }));
    }
    start.countDown();
    int wins = 0;
    for (Future<Boolean> f : results) {
      wins += f.get(30, TimeUnit.SECONDS) ? 1 : 0;
    }
    pool.shutdown();
    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    return wins;
  }
}
