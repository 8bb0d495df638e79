package dev.limits.plans;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class UpgradeRuleTest extends GateFixture {

  final Plan basic = Plan.builder("basic").activeUntil(Instant.parse("2026-04-01T00:00:00Z")).build();
  final Plan pro = Plan.builder("pro").build();

  @Test
  void theSeedsRuleNeedsAnActiveSubscription() {
    UpgradeCheck none = gate.checkUpgrade(null, pro);
    assertThat(none.eligible()).isFalse();
    assertThat(none.reason()).isEqualTo(UpgradeCheck.NO_ACTIVE_SUBSCRIPTION);
    assertThat(none.httpStatus()).isEqualTo(403);
    assertThat(none.message(FA)).isEqualTo("برای ارتقا باید اشتراک فعال داشته باشید");
    assertThat(none.message(EN)).isEqualTo("You need an active subscription to upgrade.");
    set("2026-04-01T00:00:00Z");
    assertThat(gate.checkUpgrade(basic, pro).reason()).isEqualTo(UpgradeCheck.NO_ACTIVE_SUBSCRIPTION);
  }

  @Test
  void theTargetMustBeOfferedAndDifferent() {
    assertThat(gate.checkUpgrade(basic, pro.toBuilder().enabled(false).build()).reason())
        .isEqualTo(UpgradeCheck.TARGET_NOT_OFFERED);
    assertThat(gate.checkUpgrade(basic, Plan.builder("basic").build()).reason()).isEqualTo(UpgradeCheck.SAME_PLAN);
    UpgradeCheck ok = gate.checkUpgrade(basic, pro);
    assertThat(ok.eligible()).isTrue();
    assertThat(ok.httpStatus()).isEqualTo(200);
    assertThat(ok.message(FA)).isEmpty();
  }

  @Test
  void aCustomRuleIsPluggedInAndItsFailuresRefuse() {
    gate = AiGate.builder(counter).clock(clock)
        .upgradeRule((current, target, now) -> target.name().equals("vip") ? UpgradeCheck.refused("invite-only")
            : UpgradeRule.standard().evaluate(current, target, now))
        .build();
    assertThat(gate.checkUpgrade(basic, Plan.builder("vip").build()).message(EN)).isEqualTo("invite-only");
    assertThat(gate.checkUpgrade(basic, pro).eligible()).isTrue();

    gate = AiGate.builder(counter).clock(clock).upgradeRule((c, t, n) -> {
      throw new IllegalStateException("boom");
    }).build();
    assertThat(gate.checkUpgrade(basic, pro).reason()).isEqualTo(UpgradeCheck.UNAVAILABLE);
    gate = AiGate.builder(counter).clock(clock).upgradeRule((c, t, n) -> null).build();
    assertThat(gate.checkUpgrade(basic, pro).eligible()).isFalse();
  }

  @Test
  void resultsAreConsistent() {
    assertThatThrownBy(() -> new UpgradeCheck(false, "")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new UpgradeCheck(true, "x")).isInstanceOf(IllegalArgumentException.class);
  }
}
