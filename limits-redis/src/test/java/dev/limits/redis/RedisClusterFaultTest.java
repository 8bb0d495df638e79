package dev.limits.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.limits.spi.Charge;
import dev.limits.spi.ConsumeRequest;
import dev.limits.spi.ConsumeRequest.Mode;
import dev.limits.spi.ConsumeResult.Status;
import dev.limits.spi.Slot;
import dev.limits.spi.StorageException;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A Cluster node killed mid-run and restarted, on a Cluster of the test's own whose nodes write every
 * command to their append-only files before answering. Subjects spread over the three primaries; while one
 * is down, its subjects' calls fail with a clear outcome and the others' go on; afterwards each subject's
 * counter equals its consumes reported applied (every failed one was retried under its id until answered).
 */
class RedisClusterFaultTest {

  private static final long T0 = 1_767_225_600_000L;
  private static final Slot HOUR = new Slot("messages@hour", T0, T0 + 3_600_000L, 0);
  private static final int THREADS = 8;
  private static final int SUBJECTS = 24;

  private final List<RedisServers.Server> nodes =
      RedisServers.startCluster(List.of("--appendonly", "yes", "--appendfsync", "always"));
  private final RedisClusterClient client = RedisServers.clusterClient(nodes);
  private final RedisUsageCounter counter =
      RedisUsageCounter.builder(client).timeout(Duration.ofMillis(500)).build();

  private record Outcome(String subject, String id, Status status, StorageException failure) {}

  @AfterEach
  void stop() {
    counter.close();
    client.shutdown();
    nodes.forEach(RedisServers.Server::kill);
  }

  private Outcome attempt(String subject, String id) {
    long started = System.nanoTime();
    Outcome outcome;
    try {
      Status status = counter.consume(new ConsumeRequest(subject, List.of(new Charge(HOUR, Long.MAX_VALUE, 1)),
          Mode.ENFORCE, id, T0 + 3_600_000L, T0)).status();
      outcome = new Outcome(subject, id, status, null);
    } catch (StorageException e) {
      outcome = new Outcome(subject, id, null, e);
    }
    assertThat(System.nanoTime() - started).as("a call answers in bounded time")
        .isLessThan(Duration.ofSeconds(10).toNanos());
    return outcome;
  }

  @Test
  void aNodeKilledMidRunAndRestartedLosesNothingAcknowledgedAndCountsNothingTwice() throws Exception {
    RedisServers.Server victim = nodes.get(1);
    List<String> victims = new ArrayList<>();
    for (int s = 0; s < SUBJECTS; s++) {
      String subject = "subject-" + s;
      int slot = SlotHash.getSlot(subject);
      if (client.getPartitions().getPartitionBySlot(slot).getUri().getPort() == victim.port) {
        victims.add("subject-" + s);
      }
    }
    assertThat(victims).as("subjects on the node to kill").isNotEmpty().hasSizeLessThan(SUBJECTS);

    Queue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
    CountDownLatch before = new CountDownLatch(300);
    CountDownLatch failures = new CountDownLatch(20);
    CountDownLatch afterOnVictim = new CountDownLatch(50);
    AtomicBoolean restarted = new AtomicBoolean();
    AtomicBoolean done = new AtomicBoolean();
    AtomicInteger sequence = new AtomicInteger();
    ExecutorService executor = Executors.newFixedThreadPool(THREADS);
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      futures.add(executor.submit(() -> {
        while (!done.get()) {
          String subject = "subject-" + ThreadLocalRandom.current().nextInt(SUBJECTS);
          Outcome outcome = attempt(subject, "op-" + sequence.incrementAndGet());
          outcomes.add(outcome);
          if (outcome.failure() == null) {
            before.countDown();
            if (restarted.get() && victims.contains(subject)) {
              afterOnVictim.countDown();
            }
          } else {
            failures.countDown();
            LockSupport.parkNanos(1_000_000);
          }
        }
        return null;
      }));
    }
    try {
      assertThat(before.await(2, TimeUnit.MINUTES)).as("consumes before the crash").isTrue();
      victim.kill();
      assertThat(failures.await(2, TimeUnit.MINUTES)).as("failures while the node is down").isTrue();
      victim.start();
      RedisServers.awaitClusterOk(victim);
      restarted.set(true);
      assertThat(afterOnVictim.await(2, TimeUnit.MINUTES)).as("consumes on the restarted node").isTrue();
    } finally {
      done.set(true);
      for (Future<?> future : futures) {
        future.get(2, TimeUnit.MINUTES);
      }
      executor.shutdownNow();
    }

    Map<String, Long> counted = new HashMap<>();
    int unknown = 0;
    int known = 0;
    for (Outcome outcome : outcomes) {
      if (outcome.failure() != null) {
        if (outcome.failure().outcomeUnknown()) {
          unknown++;
        } else {
          known++;
        }
        Outcome retry = retryUntilAnswered(outcome.subject(), outcome.id());
        if (outcome.failure().outcomeUnknown()) {
          assertThat(retry.status()).isIn(Status.APPLIED, Status.DUPLICATE);
        } else {
          assertThat(retry.status()).as("retry of %s, reported surely not applied", outcome.id())
              .isEqualTo(Status.APPLIED);
        }
      } else {
        assertThat(outcome.status()).isEqualTo(Status.APPLIED);
      }
      counted.merge(outcome.subject(), 1L, Long::sum);
    }
    System.out.printf("RedisClusterFaultTest: %d consumes, %d failures surely not applied, %d maybe applied%n",
        outcomes.size(), known, unknown);
    for (Map.Entry<String, Long> entry : counted.entrySet()) {
      long used = counter.consume(new ConsumeRequest(entry.getKey(), List.of(new Charge(HOUR, Long.MAX_VALUE, 0)),
          Mode.CHECK, null, 0, T0)).used(0);
      assertThat(used).as("usage of %s", entry.getKey()).isEqualTo(entry.getValue());
    }
  }

  private Outcome retryUntilAnswered(String subject, String id) {
    long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    while (true) {
      Outcome retry = attempt(subject, id);
      if (retry.failure() == null) {
        return retry;
      }
      assertThat(System.nanoTime()).as("retry of %s answered", id).isLessThan(deadline);
      LockSupport.parkNanos(10_000_000);
    }
  }
}
