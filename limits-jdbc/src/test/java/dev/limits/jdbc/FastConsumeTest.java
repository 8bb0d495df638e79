package dev.limits.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.limits.jdbc.internal.FastConsume;
import dev.limits.spi.Charge;
import dev.limits.spi.ConsumeRequest;
import dev.limits.spi.ConsumeRequest.Mode;
import dev.limits.spi.ConsumeResult;
import dev.limits.spi.ConsumeResult.Status;
import dev.limits.spi.Slot;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The client side of the fast consume without a database: which requests it takes, the cells, totals and
 * rooms it sends, and the results it makes of the function's answer.
 */
class FastConsumeTest {

  private static final Slot HOUR = new Slot("m@hour", 0, 3_600_000, 0);
  private static final Slot DAY = new Slot("m@day", 0, 86_400_000, 0);

  private static ConsumeRequest enforce(String subject, Charge... charges) {
    return new ConsumeRequest(subject, List.of(charges), Mode.ENFORCE, null, 0, 0);
  }

  private static Object[] parameters(FastConsume fast) {
    return fast.parameters();
  }

  @Test
  void takesOnlyEnforcesWithoutIdOnWindowsWithoutLookback() {
    Charge charge = new Charge(HOUR, 10, 1);
    assertThat(FastConsume.applies(enforce("u", charge))).isTrue();
    assertThat(FastConsume.applies(new ConsumeRequest("u", List.of(charge), Mode.FORCE, null, 0, 0))).isFalse();
    assertThat(FastConsume.applies(new ConsumeRequest("u", List.of(charge), Mode.ENFORCE, "op", 1, 0))).isFalse();
    assertThat(FastConsume.applies(enforce("u", new Charge(new Slot("m@rolling", 0, 60_000, 2), 10, 1))))
        .isFalse();
    assertThat(FastConsume.of(List.of(enforce("u", charge),
        new ConsumeRequest("v", List.of(charge), Mode.CHECK, null, 0, 0)))).as("one request of the batch").isNull();
  }

  @Test
  void aBatchBecomesOneCellPerSubjectAndKeyWithItsTotalAndTheRoomEveryChargeLeaves() {
    FastConsume fast = FastConsume.of(List.of(
        enforce("u", new Charge(HOUR, 10, 3), new Charge(DAY, 100, 5)),
        enforce("v", new Charge(HOUR, 10, 4)),
        enforce("u", new Charge(HOUR, 8, 2)),
        enforce("u", new Charge(HOUR, 10, 0))));
    assertThat(fast).isNotNull();
    Object[] p = parameters(fast);
    assertThat((String[]) p[0]).containsExactly("u", "u", "v");
    assertThat((String[]) p[1]).containsExactly("m@hour", "m@day", "m@hour");
    assertThat((long[]) p[4]).as("totals").containsExactly(5, 5, 4);
    // u's hour: 10 - 3 = 7; 8 - 3 - 2 = 3; 10 - 5 - 1 = 4 for the amount 0 (usage must stay below the limit)
    assertThat((long[]) p[5]).as("rooms").containsExactly(3, 95, 6);
  }

  @Test
  void aCellChargedForTwoSlotsOrPastLongMaxValueIsLeftToTheGeneralFunction() {
    Slot nextHour = new Slot("m@hour", 3_600_000, 7_200_000, 0);
    assertThat(FastConsume.of(List.of(enforce("u", new Charge(HOUR, 10, 1)),
        enforce("u", new Charge(nextHour, 10, 1))))).isNull();
    assertThat(FastConsume.of(List.of(enforce("u", new Charge(HOUR, Long.MAX_VALUE, Long.MAX_VALUE)),
        enforce("u", new Charge(HOUR, Long.MAX_VALUE, 1))))).isNull();
    FastConsume impossible = FastConsume.of(List.of(enforce("u", new Charge(HOUR, 0, 0))));
    assertThat(impossible).isNotNull();
    assertThat((long[]) parameters(impossible)[5]).as("no usage fits a limit of 0").containsExactly(-1);
  }

  @Test
  void resultsFollowTheAnswerInArrivalOrder() {
    List<ConsumeRequest> batch = List.of(
        enforce("u", new Charge(HOUR, 10, 3), new Charge(DAY, 100, 5)),
        enforce("u", new Charge(HOUR, 10, 2)));
    FastConsume fast = FastConsume.of(batch);
    assertThat(fast).isNotNull();
    List<ConsumeResult> applied = fast.results(new Object[] {0L, 4L, 50L});
    assertThat(applied).extracting(ConsumeResult::status).containsOnly(Status.APPLIED);
    assertThat(applied.get(0).used(0)).isEqualTo(7);
    assertThat(applied.get(0).used(1)).isEqualTo(55);
    assertThat(applied.get(1).used(0)).isEqualTo(9);
    assertThat(fast.results(new Object[] {null})).as("not for the fast function").isNull();
    // no room, but a request would fit alone at the usage read: the batch function decides
    assertThat(fast.results(new Object[] {1L, 7L, 50L})).isNull();
    // no request fits alone: all denied, with the usage read
    List<ConsumeResult> denied = fast.results(new Object[] {1L, 9L, 50L});
    assertThat(denied).extracting(ConsumeResult::status).containsOnly(Status.DENIED);
    assertThat(denied.get(0).used(0)).isEqualTo(9);
    assertThat(denied.get(0).fits(0)).isFalse();
    assertThat(denied.get(0).fits(1)).isTrue();
    assertThatThrownBy(() -> fast.results(new Object[] {0L, 1L})).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("1 cells for 2");
  }
}
