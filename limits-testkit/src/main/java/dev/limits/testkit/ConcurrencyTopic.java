package dev.limits.testkit;

import static dev.limits.testkit.UsageCounterContract.DAY;
import static dev.limits.testkit.UsageCounterContract.HOUR;
import static dev.limits.testkit.UsageCounterContract.MINUTE;
import static dev.limits.testkit.UsageCounterContract.SUBJECT;
import static dev.limits.testkit.UsageCounterContract.T0;
import static dev.limits.testkit.UsageCounterContract.charge;
import static dev.limits.testkit.UsageCounterContract.day;
import static dev.limits.testkit.UsageCounterContract.hour;
import static dev.limits.testkit.UsageCounterContract.lifetime;
import static org.assertj.core.api.Assertions.assertThat;

import dev.limits.spi.ConsumeRequest;
import dev.limits.spi.ConsumeRequest.Mode;
import dev.limits.spi.ConsumeResult;
import dev.limits.spi.ConsumeResult.Status;
import dev.limits.spi.SettleRequest;
import dev.limits.spi.SettleResult;
import dev.limits.spi.Slot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;

/** Concurrency: many threads at once on one subject or on many, then exact final invariants. No sleeps. */
abstract class ConcurrencyTopic extends ContractTopic {

  ConcurrencyTopic(UsageCounterContract contract) {
    super(contract);
  }

  @Test
  void concurrentConsumesCountExactlyWhatWasAppliedAndNeverExceedALimit() throws Exception {
    int ops = operationsPerThread();
    long attempts = (long) concurrencyThreads() * ops;
    // 500 messages an hour, 800 a day and 50,000 tokens a day by default; scaled down for fewer attempts so
    // that the limits are still reached.
    long hourLimit = Math.max(5, Math.min(500, attempts / 4));
    long dayLimit = hourLimit * 8 / 5;
    long tokenLimit = hourLimit * 100;
    long firstHour = T0 + 7 * HOUR;
    long secondHour = firstHour + HOUR;
    AtomicLong appliedFirstHour = new AtomicLong();
    AtomicLong appliedSecondHour = new AtomicLong();
    AtomicLong tokensApplied = new AtomicLong();
    AtomicLong denied = new AtomicLong();

    runConcurrently((thread, barrier) -> {
      SplittableRandom random = new SplittableRandom(42 + thread);
      for (int i = 0; i < ops; i++) {
        boolean first = i < ops / 2;
        if (i == ops / 2) {
          awaitPhase(barrier); // every first-hour consume is done; the second hour begins for all threads
        }
        long now = (first ? firstHour : secondHour) + i % 1000;
        long tokens = 1 + random.nextInt(150);
        ConsumeResult result = counter.consume(new ConsumeRequest(SUBJECT, List.of(
            charge(hour("messages", now), hourLimit, 1),
            charge(day("messages", now), dayLimit, 1),
            charge(day("tokens", now), tokenLimit, tokens)), Mode.ENFORCE, null, 0, now));

        assertThat(result.size()).isEqualTo(3);
        assertThat(result.used(0)).as("messages this hour in %s", result).isBetween(0L, hourLimit);
        assertThat(result.used(1)).as("messages today in %s", result).isBetween(0L, dayLimit);
        assertThat(result.used(2)).as("tokens today in %s", result).isBetween(0L, tokenLimit);
        // Both message cells always move together: a result showing one without the other saw half an
        // operation.
        long earlierHours = first ? 0 : appliedFirstHour.get();
        assertThat(result.used(1) - result.used(0)).as("messages today minus this hour in %s", result)
            .isEqualTo(earlierHours);
        if (result.status() == Status.APPLIED) {
          assertThat(new boolean[] {result.fits(0), result.fits(1), result.fits(2)}).as("fits of %s", result)
              .containsOnly(true);
          (first ? appliedFirstHour : appliedSecondHour).incrementAndGet();
          tokensApplied.addAndGet(tokens);
        } else {
          assertThat(result.status()).as("status of %s", result).isEqualTo(Status.DENIED);
          assertThat(new boolean[] {result.fits(0), result.fits(1), result.fits(2)}).as("fits of %s", result)
              .contains(false);
          denied.incrementAndGet();
        }
      }
    });

    long now = secondHour + HOUR - 1;
    long messages = appliedFirstHour.get() + appliedSecondHour.get();
    assertThat(messages + denied.get()).isEqualTo(attempts);
    assertThat(denied.get()).as("consumes denied: the limits were reached").isPositive();
    assertThat(appliedFirstHour.get()).isBetween(1L, hourLimit);
    assertThat(appliedSecondHour.get()).isBetween(0L, hourLimit); // tokens may run out in the first hour
    assertThat(used(hour("messages", now), now)).isEqualTo(appliedSecondHour.get());
    assertThat(used(day("messages", now), now)).isEqualTo(messages).isLessThanOrEqualTo(dayLimit);
    assertThat(used(day("tokens", now), now)).isEqualTo(tokensApplied.get()).isLessThanOrEqualTo(tokenLimit);
    assertThat(snapshot(SUBJECT, now)).containsOnlyKeys("messages@hour", "messages@day", "tokens@day");
  }

  @Test
  void concurrentForcesAndRefundsKeepExactCounts() throws Exception {
    int ops = operationsPerThread();
    long attempts = (long) concurrencyThreads() * ops;
    long limit = Math.max(10, attempts); // about a third of what is counted net of refunds
    long now = T0 + 9 * HOUR + MINUTE;
    Slot tokens = hour("tokens", now);
    Slot lifetime = lifetime("tokens");
    AtomicLong expected = new AtomicLong();
    AtomicLong denied = new AtomicLong();

    // Every refund gives back an amount this thread counted before, so the total never needs the zero floor
    // and the final usage is exactly what was counted minus what was refunded.
    runConcurrently((thread, barrier) -> {
      SplittableRandom random = new SplittableRandom(1_000 + thread);
      for (int i = 0; i < ops; i++) {
        long amount = 1 + random.nextInt(8);
        int choice = random.nextInt(10);
        Mode mode = choice < 2 ? Mode.FORCE : Mode.ENFORCE;
        ConsumeResult result = counter.consume(new ConsumeRequest(SUBJECT,
            List.of(charge(tokens, limit, amount), charge(lifetime, limit, amount)), mode, null, 0, now));
        assertThat(result.used(0)).as("both cells move together in %s", result).isEqualTo(result.used(1));
        if (result.status() == Status.DENIED) {
          denied.incrementAndGet();
          continue;
        }
        expected.addAndGet(amount);
        if (choice >= 7) {
          ConsumeResult refund = counter.consume(new ConsumeRequest(SUBJECT,
              List.of(charge(tokens, limit, amount), charge(lifetime, limit, amount)), Mode.REFUND, null, 0,
              now));
          assertThat(refund.status()).as("refund").isEqualTo(Status.APPLIED);
          assertThat(refund.used(0)).as("both cells move together in %s", refund).isEqualTo(refund.used(1));
          expected.addAndGet(-amount);
        }
      }
    });

    assertThat(denied.get()).as("consumes denied: the limit was reached").isPositive();
    assertThat(used(tokens, now)).isEqualTo(expected.get());
    assertThat(used(lifetime, now)).isEqualTo(expected.get());
  }

  @Test
  void concurrentReservationsSettlementsAndCancellationsKeepExactCounts() throws Exception {
    int ops = operationsPerThread();
    long attempts = (long) concurrencyThreads() * ops;
    long requestLimit = Math.max(4, attempts * 3 / 4);
    long tokenLimit = attempts * 15; // about a third of what the reservations ask for
    long now = T0 + MINUTE;
    long expiresAt = T0 + 30 * MINUTE;
    Slot requests = hour("requests", now);
    Slot tokens = day("tokens", now);
    AtomicLong expectedRequests = new AtomicLong();
    AtomicLong expectedTokens = new AtomicLong();
    AtomicLong openRequests = new AtomicLong();
    AtomicLong openTokens = new AtomicLong();
    AtomicLong denied = new AtomicLong();
    Queue<long[]> handedOver = new ConcurrentLinkedQueue<>();
    Map<String, AtomicInteger> settledById = new ConcurrentHashMap<>();

    runConcurrently((thread, barrier) -> {
      SplittableRandom random = new SplittableRandom(7 + thread);
      for (int i = 0; i < ops; i++) {
        String id = "r-" + thread + "-" + i;
        long estimate = 1 + random.nextInt(100);
        ConsumeResult reserved = counter.consume(new ConsumeRequest(SUBJECT,
            List.of(charge(requests, requestLimit, 1), charge(tokens, tokenLimit, estimate)), Mode.RESERVE, id,
            expiresAt, now));
        if (reserved.status() == Status.DENIED) {
          denied.incrementAndGet();
        } else {
          assertThat(reserved.status()).as("reserve %s", id).isEqualTo(Status.APPLIED);
          switch (random.nextInt(4)) {
            case 0: {
              long actual = random.nextInt((int) (2 * estimate + 1));
              expectedRequests.incrementAndGet();
              expectedTokens.addAndGet(actual);
              assertThat(settleFor(id, now, 1, actual)).as("settle %s", id).isEqualTo(SettleResult.SETTLED);
              assertThat(settleFor(id, now, 1, actual)).as("settle %s again", id)
                  .isEqualTo(SettleResult.ALREADY_SETTLED);
              break;
            }
            case 1:
              assertThat(settleFor(id, now, 0, 0)).as("cancel %s", id).isEqualTo(SettleResult.SETTLED);
              break;
            case 2:
              openRequests.incrementAndGet();
              openTokens.addAndGet(estimate);
              break;
            default: {
              // Settled twice at once: by this thread now, and by whichever thread polls it first.
              long actual = estimate / 2;
              expectedRequests.incrementAndGet();
              expectedTokens.addAndGet(actual);
              handedOver.add(new long[] {thread, i, actual});
              recordSettle(settledById, id, settleFor(id, now, 1, actual));
              break;
            }
          }
        }
        long[] other = handedOver.poll();
        if (other != null) {
          String otherId = "r-" + other[0] + "-" + other[1];
          recordSettle(settledById, otherId, settleFor(otherId, now, 1, other[2]));
        }
      }
    });

    for (long[] other = handedOver.poll(); other != null; other = handedOver.poll()) {
      String otherId = "r-" + other[0] + "-" + other[1];
      recordSettle(settledById, otherId, settleFor(otherId, now, 1, other[2]));
    }
    assertThat(settledById.values()).allSatisfy(count -> assertThat(count.get()).isEqualTo(1));
    assertThat(denied.get()).as("reservations denied: the token limit was reached").isPositive();
    assertThat(used(requests, now)).isEqualTo(expectedRequests.get() + openRequests.get());
    assertThat(used(tokens, now)).isEqualTo(expectedTokens.get() + openTokens.get());

    long afterExpiry = expiresAt + 1;
    purgeUntilDone(afterExpiry);
    assertThat(used(requests, afterExpiry)).isEqualTo(expectedRequests.get());
    assertThat(used(tokens, afterExpiry)).isEqualTo(expectedTokens.get());
    purgeUntilDone(afterExpiry + MINUTE);
    assertThat(used(tokens, afterExpiry)).isEqualTo(expectedTokens.get());
  }

  private SettleResult settleFor(String id, long now, long... finalAmounts) {
    return counter.settle(new SettleRequest(SUBJECT, id, finalAmounts, now));
  }

  private static void recordSettle(Map<String, AtomicInteger> settledById, String id, SettleResult result) {
    AtomicInteger settled = settledById.computeIfAbsent(id, k -> new AtomicInteger());
    if (result == SettleResult.SETTLED) {
      settled.incrementAndGet();
    } else {
      assertThat(result).as("settle %s", id).isEqualTo(SettleResult.ALREADY_SETTLED);
    }
  }

  private void purgeUntilDone(long now) {
    for (int calls = 0; counter.purge(now, 1000) >= 1000; calls++) {
      assertThat(calls).as("purge calls before it reports done").isLessThan(10_000);
    }
  }

  @Test
  void concurrentRetriesWithTheSameOperationIdsCountEachOnce() throws Exception {
    int keys = operationsPerThread();
    long now = T0 + 3 * HOUR;
    Slot messages = hour("messages", now);
    Slot tokens = day("tokens", now);
    long tokenLimit = 0;
    for (int k = 0; k < keys; k++) {
      tokenLimit += 1 + k % 5;
    }
    // The limits fit every key exactly once: a key counted twice would make a later key fail.
    long exactTokenLimit = tokenLimit;
    AtomicLongArray applied = new AtomicLongArray(keys);

    runConcurrently((thread, barrier) -> {
      List<Integer> order = new ArrayList<>();
      for (int k = 0; k < keys; k++) {
        order.add(k);
      }
      Collections.shuffle(order, new Random(99 + thread));
      Mode mode = thread % 2 == 0 ? Mode.ENFORCE : Mode.FORCE;
      for (int k : order) {
        ConsumeResult result = counter.consume(new ConsumeRequest(SUBJECT,
            List.of(charge(messages, keys, 1), charge(tokens, exactTokenLimit, 1 + k % 5)), mode, "key-" + k,
            now + DAY, now));
        if (result.status() == Status.APPLIED) {
          applied.incrementAndGet(k);
        } else {
          assertThat(result.status()).as("retry of key-%s: %s", k, result).isEqualTo(Status.DUPLICATE);
        }
      }
    });

    for (int k = 0; k < keys; k++) {
      assertThat(applied.get(k)).as("times key-%s was applied", k).isEqualTo(1);
    }
    assertThat(used(messages, now)).isEqualTo(keys);
    assertThat(used(tokens, now)).isEqualTo(exactTokenLimit);
  }

  @Test
  void concurrentSubjectsAndPurgesDoNotDisturbEachOther() throws Exception {
    int ops = operationsPerThread();
    long ended = T0 - DAY;
    long now = T0 + 5 * HOUR;
    long limit = ops / 2;
    int threads = concurrencyThreads();
    for (int t = 0; t < threads; t++) {
      for (int k = 0; k < 5; k++) {
        counter.consume(new ConsumeRequest("user-" + t, List.of(charge(hour("old-" + k, ended), 10, 1)),
            Mode.ENFORCE, "old-op-" + k, ended + HOUR, ended));
      }
    }
    AtomicLongArray appliedBySubject = new AtomicLongArray(threads);

    runConcurrently((thread, barrier) -> {
      // Even threads consume on their own subject; odd threads also purge between their consumes.
      String subject = "user-" + thread;
      for (int i = 0; i < ops; i++) {
        ConsumeResult result = counter.consume(new ConsumeRequest(subject,
            List.of(charge(hour("messages", now), limit, 1), charge(day("messages", now), limit * 2, 1)),
            Mode.ENFORCE, null, 0, now + i % 1000));
        if (result.status() == Status.APPLIED) {
          appliedBySubject.incrementAndGet(thread);
        }
        if (thread % 2 == 1 && i % 10 == 0) {
          assertThat(counter.purge(now, 3)).isBetween(0, 3);
        }
      }
    });

    purgeUntilDone(now);
    for (int t = 0; t < threads; t++) {
      String subject = "user-" + t;
      assertThat(appliedBySubject.get(t)).as("consumes applied for %s", subject).isEqualTo(limit);
      assertThat(used(subject, hour("messages", now), now)).isEqualTo(limit);
      assertThat(used(subject, day("messages", now), now)).isEqualTo(limit);
      assertThat(snapshot(subject, ended)).as("snapshot of %s after purging", subject)
          .containsOnlyKeys("messages@hour", "messages@day");
    }
  }

  @Test
  void concurrentPurgesNeverLoseLiveUsage() throws Exception {
    int ops = operationsPerThread();
    int perSubject = 4;
    int groupSize = 64;
    long limit = 5;
    int subjects = (ops + perSubject - 1) / perSubject;
    int groups = (subjects + groupSize - 1) / groupSize;
    AtomicLongArray applied = new AtomicLongArray(subjects);

    // Subject s counts in hour s; the threads move through the subjects in step, a group at a time.
    // The first touch of a subject (a CHECK) may leave it stored but empty, which purge is free to drop while
    // other threads already count for it. Purges at the start of the group's first hour drop only the cells
    // of earlier groups, so the store stays small and every drop is of an ended period.
    runConcurrently((thread, barrier) -> {
      for (int i = 0; i < ops; i++) {
        int s = i / perSubject;
        int group = s / groupSize;
        if (i > 0 && i % (perSubject * groupSize) == 0) {
          awaitPhase(barrier);
          if (thread == 0) {
            assertGroupCounted(group - 1, groupSize, subjects, applied, limit);
          }
          awaitPhase(barrier);
        }
        String subject = "churn-" + s;
        long now = T0 + s * HOUR + MINUTE;
        Slot slot = hour("messages", now);
        if (i % perSubject == 0) {
          counter.consume(
              new ConsumeRequest(subject, List.of(charge(slot, limit, 0)), Mode.CHECK, null, 0, now));
        } else {
          ConsumeResult result = counter.consume(
              new ConsumeRequest(subject, List.of(charge(slot, limit, 1)), Mode.ENFORCE, null, 0, now));
          if (result.status() == Status.APPLIED) {
            applied.incrementAndGet(s);
          }
        }
        assertThat(counter.purge(T0 + group * groupSize * HOUR + MINUTE, 2)).isBetween(0, 2);
      }
    });

    assertGroupCounted(groups - 1, groupSize, subjects, applied, limit);
  }

  private void assertGroupCounted(int group, int groupSize, int subjects, AtomicLongArray applied, long limit) {
    for (int s = group * groupSize; s < Math.min(subjects, (group + 1) * groupSize); s++) {
      String subject = "churn-" + s;
      long now = T0 + s * HOUR + MINUTE;
      assertThat(applied.get(s)).as("consumes applied for %s", subject).isLessThanOrEqualTo(limit);
      assertThat(used(subject, hour("messages", now), now)).as("usage of %s", subject).isEqualTo(applied.get(s));
    }
  }
}
