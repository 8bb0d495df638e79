package dev.limits.jdbc.internal;

import dev.limits.spi.ConsumeRequest;
import dev.limits.spi.ConsumeResult;
import dev.limits.spi.StorageException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * Group commit for consumes, per lane (all requests in one lane, or one lane per subject): a caller whose
 * lane has fewer than {@code maxRunning} batches running goes at once, alone (no timers, no added latency
 * when idle); callers that arrive while their lane has that many batches running queue up, and when one
 * finishes, the first of them takes everything queued in the lane (up to {@code maxBatch}, in arrival
 * order) and runs it as the next batch. The requests of one batch share one statement, one round trip and
 * one commit.
 *
 * <p>Every queued request is answered: with its result, or with the failure its batch runner gave it, or,
 * if the runner itself throws, with a {@link StorageException} saying that it may or may not have been
 * counted. A caller interrupted while still queued is withdrawn (its request was never sent); one
 * interrupted after its request was taken into a batch waits for the truthful answer and keeps its
 * interrupt status.
 *
 * <p>Thread-safe.
 */
public final class Coalescer {

  /** Runs one batch: answers each pending request through {@link Pending#succeed} or {@link Pending#fail}. */
  public interface Runner {
    void run(List<Pending> batch);
  }

  /** One caller's request, waiting for its answer. */
  public static final class Pending {
    private final ConsumeRequest request;
    private final Object lane;
    private final Condition changed;
    private @Nullable ConsumeResult result;
    private @Nullable RuntimeException failure;
    private boolean taken;
    private boolean done;
    private @Nullable List<Pending> lead;

    private Pending(ConsumeRequest request, Object lane, Condition changed) {
      this.request = request;
      this.lane = lane;
      this.changed = changed;
    }

    public ConsumeRequest request() {
      return request;
    }

    /** Answers with {@code result}, unless already answered. */
    public void succeed(ConsumeResult result) {
      if (this.result == null && failure == null) {
        this.result = result;
      }
    }

    /** Answers with {@code failure}, unless already answered. */
    public void fail(RuntimeException failure) {
      if (result == null && this.failure == null) {
        this.failure = failure;
      }
    }

    /** {@return whether an answer was given} */
    public boolean isAnswered() {
      return result != null || failure != null;
    }

    private ConsumeResult answer() {
      if (failure != null) {
        throw failure;
      }
      return Objects.requireNonNull(result, "result");
    }
  }

  /** A lane with batches running, and the callers queued behind them. */
  private static final class Lane {
    final ArrayDeque<Pending> queue = new ArrayDeque<>();
    int running;
  }

  private final ReentrantLock lock = new ReentrantLock();
  private final Map<Object, Lane> lanes = new HashMap<>();
  private final int maxRunning;
  private final int maxBatch;
  private final boolean perSubject;
  private final Runner runner;

  /**
   * {@code maxRunning} batches of one lane may run at once, so that the next batch is on its way while the
   * last one's caller hands out the answers (where they touch the same rows, the next waits for the last's
   * row locks in the database and starts the moment it commits).
   *
   * @param perSubject one lane per subject (subjects never wait for each other), or one lane for all
   *                   requests (batches mix subjects)
   */
  public Coalescer(int maxRunning, int maxBatch, boolean perSubject, Runner runner) {
    this.maxRunning = maxRunning;
    this.maxBatch = maxBatch;
    this.perSubject = perSubject;
    this.runner = runner;
  }

  /** Consumes through a batch, alone or with others; answers as the runner answered this request. */
  public ConsumeResult consume(ConsumeRequest request) {
    Pending me;
    List<Pending> batch;
    boolean interrupted = false;
    lock.lock();
    try {
      Object key = perSubject ? request.subject() : Boolean.TRUE;
      me = new Pending(request, key, lock.newCondition());
      Lane lane = lanes.computeIfAbsent(key, k -> new Lane());
      ArrayDeque<Pending> queue = lane.queue;
      if (lane.running < maxRunning) {
        // nothing is queued: callers queue only while maxRunning batches run, and a finishing batch hands
        // a non-empty queue on instead of ending its run
        lane.running++;
        me.taken = true;
        batch = List.of(me);
      } else {
        queue.addLast(me);
        while (!me.done && me.lead == null) {
          if (me.taken) {
            me.changed.awaitUninterruptibly();
            continue;
          }
          try {
            me.changed.await();
          } catch (InterruptedException e) {
            if (!me.taken) {
              queue.remove(me); // still the lane's queue: a lane with callers queued is never dropped
              Thread.currentThread().interrupt();
              throw new StorageException("consume interrupted while waiting to be sent; it was not counted", e);
            }
            interrupted = true;
          }
        }
        batch = me.lead;
      }
    } finally {
      lock.unlock();
    }
    try {
      if (batch != null) {
        lead(batch);
      }
      return me.answer();
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Runs {@code requests} as one batch through {@code runner}, in this thread, and answers their results in
   * order: what a batch of concurrent callers would get; for tests of runners.
   *
   * @throws RuntimeException the failure the runner gave the first request that failed
   */
  public static List<ConsumeResult> runAsOneBatch(List<ConsumeRequest> requests, Runner runner) {
    ReentrantLock unused = new ReentrantLock();
    List<Pending> batch = new ArrayList<>(requests.size());
    for (ConsumeRequest request : requests) {
      batch.add(new Pending(request, Boolean.TRUE, unused.newCondition()));
    }
    try {
      runner.run(batch);
    } catch (RuntimeException e) {
      failAll(batch, e);
    }
    List<ConsumeResult> results = new ArrayList<>(batch.size());
    for (Pending p : batch) {
      if (!p.isAnswered()) {
        p.fail(new StorageException("consume was not answered and may or may not have been counted"));
      }
      results.add(p.answer());
    }
    return results;
  }

  /** Up to maxBatch queued requests, oldest first; holds the lock. */
  private List<Pending> take(ArrayDeque<Pending> queue) {
    List<Pending> batch = new ArrayList<>(Math.min(maxBatch, queue.size()));
    while (!queue.isEmpty() && batch.size() < maxBatch) {
      Pending p = queue.pollFirst();
      p.taken = true;
      batch.add(p);
    }
    return batch;
  }

  private void lead(List<Pending> batch) {
    try {
      runner.run(batch);
    } catch (RuntimeException e) {
      failAll(batch, e);
    } catch (Error e) {
      failAll(batch, e);
      throw e;
    } finally {
      finish(batch);
    }
  }

  private static void failAll(List<Pending> batch, Throwable cause) {
    StorageException failure = new StorageException(
        "consume failed and may or may not have been counted: " + cause.getMessage(), cause);
    for (Pending p : batch) {
      p.fail(failure);
    }
  }

  /** Publishes the answers, and hands the lane's queue to its oldest caller or ends its run. */
  private void finish(List<Pending> batch) {
    lock.lock();
    try {
      for (Pending p : batch) {
        if (!p.isAnswered()) {
          p.fail(new StorageException("consume was not answered and may or may not have been counted"));
        }
        p.done = true;
        p.changed.signal();
      }
      Object key = batch.get(0).lane;
      Lane lane = Objects.requireNonNull(lanes.get(key), "lane");
      if (lane.queue.isEmpty()) {
        if (--lane.running == 0) {
          lanes.remove(key);
        }
      } else {
        List<Pending> next = take(lane.queue);
        Pending leader = next.get(0);
        leader.lead = next;
        leader.changed.signal();
      }
    } finally {
      lock.unlock();
    }
  }
}
