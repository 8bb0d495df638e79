package dev.limits.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.limits.jdbc.internal.Coalescer;
import dev.limits.spi.Charge;
import dev.limits.spi.ConsumeRequest;
import dev.limits.spi.ConsumeRequest.Mode;
import dev.limits.spi.ConsumeResult;
import dev.limits.spi.ConsumeResult.Status;
import dev.limits.spi.Slot;
import dev.limits.spi.StorageException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The hand-over between callers of the coalescer, with a runner that blocks until released so that callers
 * surely queue: arrival order within batches, subjects sharing batches, a caller going at once while fewer
 * than the most batches run, withdrawal of an interrupted queued caller, and an answer for every caller
 * when the runner throws.
 */
class CoalescerTest {

  private static final ConsumeResult APPLIED = ConsumeResult.of(Status.APPLIED, new long[1], new boolean[] {true});

  /** A request of subject "s" unless the name says otherwise ("other:x"), named by its operation id. */
  private static ConsumeRequest request(String name) {
    String subject = name.startsWith("other:") ? "other" : "s";
    return new ConsumeRequest(subject, List.of(new Charge(new Slot("k", 0, 1, 0), 10, 1)), Mode.ENFORCE, name, 1, 0);
  }

  /** A runner that records each batch's subjects and waits for a permit per batch. */
  private static final class GatedRunner implements Coalescer.Runner {
    final List<List<String>> batches = new CopyOnWriteArrayList<>();
    final java.util.concurrent.Semaphore permits = new java.util.concurrent.Semaphore(0);
    final CountDownLatch firstStarted = new CountDownLatch(1);
    volatile RuntimeException toThrow;

    @Override
    public void run(List<Coalescer.Pending> batch) {
      List<String> subjects = new ArrayList<>();
      batch.forEach(p -> subjects.add(p.request().operationId()));
      batches.add(subjects);
      firstStarted.countDown();
      permits.acquireUninterruptibly();
      if (toThrow != null) {
        throw toThrow;
      }
      batch.forEach(p -> p.succeed(APPLIED));
    }
  }

  private static CompletableFuture<ConsumeResult> async(Coalescer coalescer, String name,
      AtomicReference<Thread> thread) {
    CompletableFuture<ConsumeResult> future = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try {
        future.complete(coalescer.consume(request(name)));
      } catch (RuntimeException e) {
        future.completeExceptionally(e);
      }
    });
    thread.set(t);
    t.start();
    return future;
  }

  private static void awaitQueued(Thread thread) throws InterruptedException {
    for (int i = 0; i < 500 && thread.getState() != Thread.State.WAITING; i++) {
      Thread.sleep(5);
    }
    assertThat(thread.getState()).isEqualTo(Thread.State.WAITING);
  }

  @Test
  void callersQueuedBehindABatchGoTogetherInArrivalOrder() throws Exception {
    GatedRunner runner = new GatedRunner();
    Coalescer coalescer = new Coalescer(1, 64, runner);
    CompletableFuture<ConsumeResult> first = async(coalescer, "first", new AtomicReference<>());
    assertThat(runner.firstStarted.await(10, TimeUnit.SECONDS)).isTrue();
    List<CompletableFuture<ConsumeResult>> queued = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      AtomicReference<Thread> thread = new AtomicReference<>();
      queued.add(async(coalescer, "q" + i, thread));
      awaitQueued(thread.get());
    }
    runner.permits.release(2);
    assertThat(first.get(10, TimeUnit.SECONDS).status()).isEqualTo(Status.APPLIED);
    for (CompletableFuture<ConsumeResult> future : queued) {
      assertThat(future.get(10, TimeUnit.SECONDS).status()).isEqualTo(Status.APPLIED);
    }
    assertThat(runner.batches).containsExactly(List.of("first"), List.of("q0", "q1", "q2", "q3", "q4"));
  }

  @Test
  void callersOfAnySubjectQueueAndGoTogether() throws Exception {
    GatedRunner runner = new GatedRunner();
    Coalescer coalescer = new Coalescer(1, 64, runner);
    CompletableFuture<ConsumeResult> first = async(coalescer, "first", new AtomicReference<>());
    assertThat(runner.firstStarted.await(10, TimeUnit.SECONDS)).isTrue();
    List<CompletableFuture<ConsumeResult>> queued = new ArrayList<>();
    for (String name : List.of("other:1", "q1", "other:2")) {
      AtomicReference<Thread> thread = new AtomicReference<>();
      queued.add(async(coalescer, name, thread));
      awaitQueued(thread.get());
    }
    runner.permits.release(2);
    assertThat(first.get(10, TimeUnit.SECONDS).status()).isEqualTo(Status.APPLIED);
    for (CompletableFuture<ConsumeResult> future : queued) {
      assertThat(future.get(10, TimeUnit.SECONDS).status()).isEqualTo(Status.APPLIED);
    }
    assertThat(runner.batches).containsExactly(List.of("first"), List.of("other:1", "q1", "other:2"));
  }

  @Test
  void withTwoBatchesRunningTheThirdCallerQueues() throws Exception {
    GatedRunner runner = new GatedRunner();
    Coalescer coalescer = new Coalescer(2, 64, runner);
    CompletableFuture<ConsumeResult> first = async(coalescer, "first", new AtomicReference<>());
    CompletableFuture<ConsumeResult> second = async(coalescer, "other:1", new AtomicReference<>());
    for (int i = 0; i < 500 && runner.batches.size() < 2; i++) {
      Thread.sleep(5);
    }
    assertThat(runner.batches).as("two batches run at once").hasSize(2);
    AtomicReference<Thread> thread = new AtomicReference<>();
    CompletableFuture<ConsumeResult> third = async(coalescer, "q1", thread);
    awaitQueued(thread.get());
    runner.permits.release(3);
    for (CompletableFuture<ConsumeResult> future : List.of(first, second, third)) {
      assertThat(future.get(10, TimeUnit.SECONDS).status()).isEqualTo(Status.APPLIED);
    }
    assertThat(runner.batches).hasSize(3).last().isEqualTo(List.of("q1"));
  }

  @Test
  void anInterruptedQueuedCallerIsWithdrawnAndTold() throws Exception {
    GatedRunner runner = new GatedRunner();
    Coalescer coalescer = new Coalescer(1, 64, runner);
    CompletableFuture<ConsumeResult> first = async(coalescer, "first", new AtomicReference<>());
    assertThat(runner.firstStarted.await(10, TimeUnit.SECONDS)).isTrue();
    AtomicReference<Thread> victim = new AtomicReference<>();
    CompletableFuture<ConsumeResult> interrupted = async(coalescer, "interrupted", victim);
    awaitQueued(victim.get());
    AtomicReference<Thread> other = new AtomicReference<>();
    CompletableFuture<ConsumeResult> next = async(coalescer, "next", other);
    awaitQueued(other.get());
    victim.get().interrupt();
    assertThatThrownBy(() -> interrupted.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(StorageException.class).hasMessageContaining("not counted");
    runner.permits.release(2);
    assertThat(first.get(10, TimeUnit.SECONDS).status()).isEqualTo(Status.APPLIED);
    assertThat(next.get(10, TimeUnit.SECONDS).status()).isEqualTo(Status.APPLIED);
    assertThat(runner.batches).containsExactly(List.of("first"), List.of("next"));
  }

  @Test
  void aCallerInterruptedAfterItsRequestWasSentGetsTheTrueAnswerAndKeepsItsInterrupt() throws Exception {
    GatedRunner runner = new GatedRunner();
    Coalescer coalescer = new Coalescer(1, 64, runner);
    CompletableFuture<ConsumeResult> first = async(coalescer, "first", new AtomicReference<>());
    assertThat(runner.firstStarted.await(10, TimeUnit.SECONDS)).isTrue();
    AtomicReference<Thread> leaderThread = new AtomicReference<>();
    CompletableFuture<ConsumeResult> leader = async(coalescer, "q0", leaderThread);
    awaitQueued(leaderThread.get());
    Thread[] waiter = new Thread[1];
    CompletableFuture<Boolean> stillInterrupted = new CompletableFuture<>();
    CompletableFuture<ConsumeResult> sent = new CompletableFuture<>();
    waiter[0] = new Thread(() -> {
      try {
        sent.complete(coalescer.consume(request("q1")));
      } catch (RuntimeException e) {
        sent.completeExceptionally(e);
      }
      stillInterrupted.complete(Thread.currentThread().isInterrupted());
    });
    waiter[0].start();
    awaitQueued(waiter[0]);
    runner.permits.release(); // "first" ends; q0 takes [q0, q1] and its runner waits for a permit
    for (int i = 0; i < 500 && runner.batches.size() < 2; i++) {
      Thread.sleep(5);
    }
    assertThat(runner.batches).containsExactly(List.of("first"), List.of("q0", "q1"));
    waiter[0].interrupt();
    Thread.sleep(50);
    assertThat(sent).as("waits for its batch's answer").isNotDone();
    runner.permits.release();
    assertThat(sent.get(10, TimeUnit.SECONDS).status()).isEqualTo(Status.APPLIED);
    assertThat(stillInterrupted.get(10, TimeUnit.SECONDS)).isTrue();
    assertThat(first.get(10, TimeUnit.SECONDS).status()).isEqualTo(Status.APPLIED);
    assertThat(leader.get(10, TimeUnit.SECONDS).status()).isEqualTo(Status.APPLIED);
  }

  @Test
  void aRunnerThatThrowsAnswersEveryCallerOfItsBatchAndTheQueueMovesOn() throws Exception {
    GatedRunner runner = new GatedRunner();
    runner.toThrow = new IllegalStateException("boom");
    Coalescer coalescer = new Coalescer(1, 2, runner);
    CompletableFuture<ConsumeResult> first = async(coalescer, "first", new AtomicReference<>());
    assertThat(runner.firstStarted.await(10, TimeUnit.SECONDS)).isTrue();
    List<CompletableFuture<ConsumeResult>> queued = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      AtomicReference<Thread> thread = new AtomicReference<>();
      queued.add(async(coalescer, "q" + i, thread));
      awaitQueued(thread.get());
    }
    runner.permits.release(3);
    for (CompletableFuture<ConsumeResult> future : List.of(first, queued.get(0), queued.get(1), queued.get(2))) {
      assertThatThrownBy(() -> future.get(10, TimeUnit.SECONDS)).cause().isInstanceOf(StorageException.class)
          .hasMessageContaining("may or may not have been counted").hasRootCauseMessage("boom");
    }
    assertThat(runner.batches).as("at most two per batch").containsExactly(
        List.of("first"), List.of("q0", "q1"), List.of("q2"));
  }
}
