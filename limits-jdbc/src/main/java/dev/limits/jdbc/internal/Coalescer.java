package dev.limits.jdbc.internal;

import dev.limits.spi.ConsumeRequest;
import dev.limits.spi.ConsumeResult;
import dev.limits.spi.StorageException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * Group commit for consumes, whatever their subjects: a caller that finds fewer than {@code maxRunning}
 * batches running goes at once, alone (no timers, no added latency when idle); callers that arrive while
 * that many run queue up, and when one finishes, the first of them takes everything queued (up to
 * {@code maxBatch}, in arrival order) and runs it as the next batch. The requests of one batch share one
 * statement, one round trip and one commit.
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
  public static final class Pending implements Retrier.Job {
    private final ConsumeRequest request;
    private final Condition changed;
    private @Nullable ConsumeResult result;
    private @Nullable RuntimeException failure;
    private boolean taken;
    private boolean done;
    private @Nullable List<Pending> lead;

    private Pending(ConsumeRequest request, Condition changed) {
      this.request = request;
      this.changed = changed;
    }

    public ConsumeRequest request() {
      return request;
    }

    @Override
    public boolean idempotent() {
      return Retrier.idempotent(request);
    }

    @Override
    public String what() {
      return Retrier.what(request);
    }

    /** Answers with {@code result}, unless already answered. */
    public void succeed(ConsumeResult result) {
      if (this.result == null && failure == null) {
        this.result = result;
      }
    }

    /** Answers with {@code failure}, unless already answered. */
    @Override
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

  private final ReentrantLock lock = new ReentrantLock();
  private final ArrayDeque<Pending> queue = new ArrayDeque<>(); // the callers waiting to be taken
  private int running; // batches running
  private final int maxRunning;
  private final int maxBatch;
  private final Runner runner;

  /**
   * {@code maxRunning} batches may run at once (where they touch the same rows, the later waits for the
   * earlier's row locks in the database and starts the moment it commits).
   */
  public Coalescer(int maxRunning, int maxBatch, Runner runner) {
    this.maxRunning = maxRunning;
    this.maxBatch = maxBatch;
    this.runner = runner;
  }

  /** Consumes through a batch, alone or with others; answers as the runner answered this request. */
  public ConsumeResult consume(ConsumeRequest request) {
    Pending me;
    List<Pending> batch;
    boolean interrupted = false;
    lock.lock();
    try {
      me = new Pending(request, lock.newCondition());
      if (running < maxRunning) {
        // nothing is queued: callers queue only while maxRunning batches run, and a finishing batch hands
        // a non-empty queue on instead of ending its run
        running++;
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
              queue.remove(me);
              Thread.currentThread().interrupt();
              throw new StorageException("consume interrupted while waiting to be sent; it was not counted", e,
                  false);
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
      batch.add(new Pending(request, unused.newCondition()));
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
  private List<Pending> take() {
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

  /** Publishes the answers, and hands the queue to its oldest caller or ends the batch's run. */
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
      if (queue.isEmpty()) {
        running--;
      } else {
        List<Pending> next = take();
        Pending leader = next.get(0);
        leader.lead = next;
        leader.changed.signal();
      }
    } finally {
      lock.unlock();
    }
  }
}
