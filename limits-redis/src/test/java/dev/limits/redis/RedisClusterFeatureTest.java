package dev.limits.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.limits.spi.Charge;
import dev.limits.spi.ConsumeRequest;
import dev.limits.spi.ConsumeRequest.Mode;
import dev.limits.spi.Slot;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.RedisClusterClient;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Hash tags on the shared Redis Cluster: one slot per operation, several subjects only under one tenant. */
class RedisClusterFeatureTest {

  private static final long T0 = 1_767_225_600_000L;
  private static final Slot DAY = new Slot("tokens@day", T0, T0 + 86_400_000L, 0);

  private static final RedisClusterClient CLIENT = RedisServers.clusterClient();

  @AfterAll
  static void close() {
    CLIENT.shutdown();
  }

  @Test
  void aRequestWhoseSubjectsFallInTwoSlotsIsRefusedBeforeAnythingIsSent() {
    try (RedisUsageCounter counter = RedisUsageCounter.builder(CLIENT).timeout(Duration.ofSeconds(20)).build()) {
      // user-1 and org-1 are tenants of their own, in different slots.
      assertThat(SlotHash.getSlot("user-1")).isNotEqualTo(SlotHash.getSlot("org-1"));
      ConsumeRequest both = new ConsumeRequest(List.of("user-1", "org-1"),
          List.of(new Charge(0, DAY, 10, 1), new Charge(1, DAY, 10, 1)), Mode.ENFORCE, null, 0, T0);

      assertThatThrownBy(() -> counter.consume(both)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'user-1'").hasMessageContaining("'org-1'").hasMessageContaining("tenantOf");
      assertThat(counter.snapshot("user-1", T0)).isEmpty();
      assertThat(counter.snapshot("org-1", T0)).isEmpty();
    }
  }

  @Test
  void subjectsUnderOneTenantShareASlotAndOthersSpreadOverThePrimaries() {
    try (RedisUsageCounter counter = RedisUsageCounter.builder(CLIENT).timeout(Duration.ofSeconds(20))
        .tenantOf(s -> s.startsWith("user-") ? "org-9" : s).build()) {
      counter.consume(new ConsumeRequest(List.of("user-1", "org-9"),
          List.of(new Charge(0, DAY, 10, 1), new Charge(1, DAY, 10, 2)), Mode.ENFORCE, null, 0, T0));
      assertThat(counter.snapshot("org-9", T0)).singleElement().extracting(u -> u.used()).isEqualTo(2L);

      Set<String> nodes = new HashSet<>();
      for (int i = 0; i < 30; i++) {
        String subject = "subject-" + i;
        counter.consume(new ConsumeRequest(subject, List.of(new Charge(DAY, 10, 1)), Mode.ENFORCE, null, 0, T0));
        nodes.add(CLIENT.getPartitions().getPartitionBySlot(SlotHash.getSlot("limits:{" + subject + "}c:" + subject))
            .getNodeId());
      }
      assertThat(nodes).hasSize(3);
      assertThat(counter.purge(T0 + 10 * 86_400_000L, 1_000)).isGreaterThanOrEqualTo(32);
    }
  }
}
