package dev.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class AmountsTest {

  private static final Metric MESSAGES = Metric.count("messages");
  private static final Metric TOKENS = Metric.tokens("tokens");
  private static final Metric IMAGES = Metric.count("images");

  @Test
  void keepsTheOrderSet() {
    Amounts a = Amounts.of(TOKENS, 30).and(MESSAGES, 1).and(IMAGES, 2);

    assertThat(a.asMap()).containsExactly(Map.entry(TOKENS, 30L), Map.entry(MESSAGES, 1L), Map.entry(IMAGES, 2L));
    assertThat(a.get(TOKENS)).isEqualTo(OptionalLong.of(30));
    assertThat(a.get(Metric.count("images"))).isEqualTo(OptionalLong.of(2)); // equal, not the same constant
    assertThat(a.get(Metric.count("files"))).isEmpty();
    assertThat(Amounts.none().asMap()).isEmpty();
  }

  @Test
  void aSecondAmountOfOneMetricIsRefusedNotASilentReplacement() {
    Amounts a = Amounts.of(TOKENS, 10).and(MESSAGES, 1);

    assertThatThrownBy(() -> a.and(TOKENS, 30)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'tokens'").hasMessageContaining("10").hasMessageContaining("30");
    assertThatThrownBy(() -> a.and(Metric.count("tokens"), 30)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'tokens'"); // one counter name, whatever the unit
    assertThatThrownBy(() -> Amounts.of(MESSAGES, 1).and(MESSAGES, 1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'messages'");
    assertThat(a.asMap()).containsExactly(Map.entry(TOKENS, 10L), Map.entry(MESSAGES, 1L));
  }

  @Test
  void isImmutable() {
    Amounts one = Amounts.of(MESSAGES, 1);
    Amounts two = one.and(TOKENS, 5);

    assertThat(one.asMap()).containsExactly(Map.entry(MESSAGES, 1L));
    assertThat(two.asMap()).containsExactly(Map.entry(MESSAGES, 1L), Map.entry(TOKENS, 5L));
    assertThatThrownBy(() -> two.asMap().put(IMAGES, 1L)).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void equalsAndHashCodeAreThoseOfTheMap() {
    Amounts a = Amounts.of(MESSAGES, 1).and(TOKENS, 500);
    Amounts b = Amounts.of(TOKENS, 500).and(Metric.count("messages"), 1);
    Map<Metric, Long> map = new LinkedHashMap<>();
    map.put(MESSAGES, 1L);
    map.put(TOKENS, 500L);

    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a.hashCode()).isEqualTo(map.hashCode());
    assertThat(a).isNotEqualTo(Amounts.of(MESSAGES, 1).and(TOKENS, 501));
    assertThat(a).isNotEqualTo(Amounts.of(MESSAGES, 1));
    assertThat(a).isNotEqualTo(Amounts.of(MESSAGES, 1).and(TOKENS, 500).and(IMAGES, 0));
    assertThat(a.toString()).isEqualTo("Amounts" + map);
  }

  @Test
  void rejectsNegativeAmountsAndNullMetricsNamingThem() {
    assertThatThrownBy(() -> Amounts.of(TOKENS, -3))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tokens").hasMessageContaining("-3");
    assertThatThrownBy(() -> Amounts.of(null, 1)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> Amounts.none().get(null)).isInstanceOf(NullPointerException.class);
  }
}
