package dev.limits.jdbc.internal;

import dev.limits.jdbc.JdbcDialect;
import dev.limits.spi.ConsumeRequest;
import dev.limits.spi.StorageException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * The one retry loop of the counter, for every operation: a coalesced batch of consumes, a single consume
 * (a batch of one), a settle, a snapshot, each step of a purge. Each attempt borrows a connection and runs
 * the work in autocommit (one statement) or in a transaction at READ COMMITTED that the loop commits, or
 * rolls back when the work fails. A failure is classified by {@link Faults#classify}: the jobs it may retry
 * ({@link Faults.Verdict#mayRetry}: surely not applied, or unknown and idempotent) are tried again, up to
 * {@code maxRetries} times, after a random back-off; the others fail with a {@link StorageException} that
 * says whether they may have taken effect.
 *
 * <p>Thread-safe.
 */
public final class Retrier {

  /** One piece of work the loop answers: a request of a batch, or a single operation. */
  public interface Job {

    /** {@return whether repeating it changes nothing if an earlier attempt committed} */
    boolean idempotent();

    /** {@return what it is, for messages} */
    String what();

    /** Answers it with a failure for good. */
    void fail(RuntimeException failure);
  }

  /** Work on the jobs not yet answered, on one connection: answers each job it runs. */
  public interface Work<J> {
    void run(Connection c, List<J> open) throws SQLException;
  }

  /** A single operation on one connection. */
  public interface Call<T> {
    T run(Connection c) throws SQLException;
  }

  private final DataSource dataSource;
  private final JdbcDialect dialect;
  private final int maxRetries;

  public Retrier(DataSource dataSource, JdbcDialect dialect, int maxRetries) {
    this.dataSource = dataSource;
    this.dialect = dialect;
    this.maxRetries = maxRetries;
  }

  /** A check writes nothing, and a request with an operation id answers DUPLICATE if it had committed. */
  public static boolean idempotent(ConsumeRequest request) {
    return request.operationId() != null || request.mode() == ConsumeRequest.Mode.CHECK;
  }

  /** Names a consume by what it does, for messages: a check is a usage read, not a consume. */
  public static String what(ConsumeRequest request) {
    switch (request.mode()) {
      case CHECK:
        return "usage read";
      case RESERVE:
        return "reservation";
      case REFUND:
        return "refund";
      default:
        return "consume";
    }
  }

  /**
   * Runs {@code call} as a batch of one and answers its result, or throws its failure.
   *
   * @param idempotent whether repeating it changes nothing if an earlier attempt committed
   * @param autocommit whether it is one autocommitted statement (else a transaction the loop commits)
   */
  public <T> T call(String what, boolean idempotent, boolean autocommit, Call<T> call) {
    Single<T> single = new Single<>(what, idempotent);
    run(List.of(single), autocommit, false, (c, open) -> single.succeed(call.run(c)));
    return single.answer();
  }

  /**
   * Runs {@code work} on {@code jobs} until each is answered: a failure that may be retried runs the work
   * again on the jobs that may be retried, the others fail.
   *
   * @param waitThroughInterrupts whether the back-off ignores interrupts (keeping the status), as a batch
   *                              that other callers wait for must; otherwise an interrupt fails the jobs
   *                              left
   */
  public <J extends Job> void run(List<J> jobs, boolean autocommit, boolean waitThroughInterrupts, Work<J> work) {
    List<J> open = jobs;
    for (int attempt = 0; ; attempt++) {
      Faults.Stage stage = Faults.Stage.CONNECT;
      try (Connection c = dataSource.getConnection()) {
        stage = Faults.Stage.IN_TRANSACTION;
        boolean wasAutoCommit = c.getAutoCommit();
        try {
          if (wasAutoCommit != autocommit) {
            c.setAutoCommit(autocommit);
          }
          if (!autocommit && c.getTransactionIsolation() != Connection.TRANSACTION_READ_COMMITTED) {
            c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
          }
          try {
            if (autocommit) {
              stage = Faults.Stage.COMMIT;
            }
            work.run(c, open);
            if (!autocommit) {
              stage = Faults.Stage.COMMIT;
              c.commit();
            }
          } catch (SQLException | RuntimeException e) {
            if (!autocommit) {
              rollbackQuietly(c, e);
            }
            throw e;
          }
          return;
        } finally {
          if (wasAutoCommit != autocommit) {
            restoreAutoCommit(c, wasAutoCommit);
          }
        }
      } catch (SQLException e) {
        Faults.Verdict verdict = Faults.classify(e, stage);
        // H2's consume statement fails as a whole when a cell or operation id was inserted concurrently;
        // H2 rolled it back, and the retry finds the row.
        boolean h2Race = dialect == JdbcDialect.H2 && Faults.isUniqueViolation(e);
        List<J> retry = new ArrayList<>(open.size());
        for (J job : open) {
          if ((verdict.mayRetry(job.idempotent()) || h2Race) && attempt < maxRetries) {
            retry.add(job);
          } else {
            job.fail(failure(job.what(), attempt, verdict, e));
          }
        }
        if (retry.isEmpty()) {
          return;
        }
        open = retry;
        InterruptedException interrupt = backOff(attempt, waitThroughInterrupts);
        if (interrupt != null) {
          StorageException interrupted = new StorageException("interrupted while waiting to retry"
              + (verdict.applied() ? "; the failed attempt may or may not have taken effect"
              : "; nothing was changed"), interrupt, verdict.applied());
          for (J job : open) {
            job.fail(interrupted);
          }
          return;
        }
      }
    }
  }

  /**
   * The exception for an operation that failed for good: what failed, after how many attempts, and whether
   * it may have taken effect.
   */
  private StorageException failure(String what, int attempt, Faults.Verdict verdict, SQLException e) {
    return new StorageException(what + " failed on " + dialect + (attempt > 0 ? " after " + (attempt + 1)
        + " attempts" : "") + (verdict.applied() ? " and may or may not have taken effect"
        : "; nothing was changed") + ": " + e.getMessage(), e, verdict.applied());
  }

  /**
   * Waits a random while, longer after each attempt; answers the interrupt that cut it short (keeping the
   * status), or null.
   */
  private static @Nullable InterruptedException backOff(int attempt, boolean waitThroughInterrupts) {
    long bound = 5L << Math.min(attempt, 8);
    long millis = ThreadLocalRandom.current().nextLong(1, bound + 1);
    if (waitThroughInterrupts) {
      // Other callers wait for this batch: sleep through interrupts, and keep the status for the caller.
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(millis));
      return null;
    }
    try {
      Thread.sleep(millis);
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return e;
    }
  }

  private static void restoreAutoCommit(Connection c, boolean autoCommit) {
    try {
      c.setAutoCommit(autoCommit);
    } catch (SQLException e) {
      // The connection is broken; the failure that broke it is what the caller needs to see.
    }
  }

  private static void rollbackQuietly(Connection c, Exception cause) {
    try {
      c.rollback();
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
  }

  /** A single operation as a job: its result, or the failure the loop gave it. */
  private static final class Single<T> implements Job {
    private final String what;
    private final boolean idempotent;
    private @Nullable T result;
    private @Nullable RuntimeException failure;

    Single(String what, boolean idempotent) {
      this.what = what;
      this.idempotent = idempotent;
    }

    @Override
    public boolean idempotent() {
      return idempotent;
    }

    @Override
    public String what() {
      return what;
    }

    /** Fails it, also after its work ran: the commit that followed may have failed. */
    @Override
    public void fail(RuntimeException failure) {
      this.failure = failure;
    }

    void succeed(T result) {
      this.result = result;
    }

    T answer() {
      if (failure != null) {
        throw failure;
      }
      return Objects.requireNonNull(result, "result");
    }
  }
}
