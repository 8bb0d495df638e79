package dev.limits.jdbc;

import dev.limits.jdbc.internal.ConsumeStrategy;
import dev.limits.jdbc.internal.PostgresStrategy;
import dev.limits.jdbc.internal.Prefixes;
import dev.limits.jdbc.internal.Retrier;
import dev.limits.jdbc.internal.Schema;
import dev.limits.jdbc.internal.Sql;
import dev.limits.jdbc.internal.Transactions;
import dev.limits.spi.ConsumeRequest;
import dev.limits.spi.ConsumeResult;
import dev.limits.spi.SettleRequest;
import dev.limits.spi.SettleResult;
import dev.limits.spi.SlotUsage;
import dev.limits.spi.StorageException;
import dev.limits.spi.UsageCounter;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * A {@link UsageCounter} in a relational database reached through JDBC: PostgreSQL, H2, MariaDB or MySQL.
 * Several processes sharing one database share the counters exactly.
 *
 * <p><b>Contract.</b> It keeps the contract of {@link UsageCounter}, which the testkit's contract suite checks
 * against every dialect: a consume counts every charge of every subject it names, or none; no limit is ever
 * passed, however many threads and processes consume at once; an operation id, owned by the request's first
 * subject, makes a retried request count once ({@link ConsumeResult.Status#DUPLICATE}) and a different
 * request that reuses it change nothing ({@link ConsumeResult.Status#MISMATCH}); a reservation is settled,
 * or refunded when it expires unsettled, exactly once, on every subject it charged; a check, a denial and a
 * repeated id change nothing. What this class adds to it: where the counters live (below), which failures it
 * retries and what a {@link StorageException} tells (<b>Failures</b>), the schema check when it is built, and
 * purging when asked.
 *
 * <p><b>Tables.</b> With the default prefix {@code limits_}: {@code limits_counter} holds one row per
 * subject and counter key (the newest bucket's {@code period_start}, {@code period_end} and {@code used};
 * for rolling windows also the earlier buckets still counted, as comma-separated {@code earlier_starts}
 * and {@code earlier_used}); {@code limits_operation} remembers operation ids until they expire, each with
 * the {@link ConsumeRequest#fingerprint()} of its request and, for a reservation, whether it is held,
 * committed or cancelled; {@code limits_hold} keeps the charges of reservations not yet settled, each with
 * the subject it charged. The DDL is in the class-path resources named by
 * {@link JdbcDialect#schemaResource()}; copy it into a Flyway or Liquibase migration, or let
 * {@link Builder#createSchemaIfMissing(boolean)} run it. An upgrade from an earlier version runs the
 * {@code ALTER TABLE} statements its comments give for columns added since, and the whole file again (it
 * replaces the functions). The counters are plain SQL: "how much has user
 * 42 used this month" is
 * <pre>{@code
 * SELECT used FROM limits_counter
 *  WHERE subject = '42' AND counter_key = 'tokens@month'
 *    AND period_start <= :nowMillis AND :nowMillis < period_end;
 * }</pre>
 * (all times are epoch milliseconds; no row means nothing used).
 *
 * <p><b>Consume.</b> On PostgreSQL a consume is one statement: {@code SELECT limits_counter_consume(...)}, a
 * PL/pgSQL function that takes one request or a batch of them; on H2 it is one {@code CALL} of a Java
 * function run inside the engine. Both run in autocommit, so no lock outlives the statement. On MariaDB and
 * MySQL it is a short transaction of a few statements (read, lock with {@code SELECT ... FOR UPDATE}, write,
 * commit). In all three a clear denial is answered from a lock-free read; otherwise the request's cells are
 * locked (missing cells are first inserted so that there is a row to lock), checked again and written, so a
 * request is all or nothing, two requests cannot both pass a "9 of 10" check, and requests on overlapping
 * cells in any order cannot deadlock.
 *
 * <p><b>Several subjects.</b> A request that charges several subjects at once (a user's plan and the
 * organisation's shared token pool, say) counts every charge of every subject or none, in the same one
 * statement or transaction. Every locker takes the rows in one order, subject then counter key, so two
 * requests of users of one organisation never deadlock, whichever order they name the subjects in. The
 * operation id belongs to the request's first subject; a reservation remembers which subject each charge
 * went to, and settling or purging it adjusts each of them exactly once.
 *
 * <p>The common case on PostgreSQL, an {@link ConsumeRequest.Mode#ENFORCE} without operation id whose slots
 * all have lookback 0 (calendar and lifetime windows), takes {@code limits_counter_consume_fast} first, a
 * lighter function that writes every row of the request or none, and answers a denial from a lock-free read
 * too; the first use of a subject's cell (no row yet) then costs a second statement. Operation ids and
 * reservation holds are written in the same transaction as the counters.
 *
 * <p><b>Coalescing.</b> On PostgreSQL, consumes that arrive while the counter's batches are running (two at
 * most, by default) queue up, whatever their subjects, and when one ends the oldest of them sends all that
 * queued up meanwhile (up to 64) as one statement and one commit: the common case again as one
 * {@code limits_counter_consume_fast}, when every request of the batch fits in arrival order; otherwise
 * {@code limits_counter_consume} with the whole batch, which locks its rows once and runs the requests one
 * after another in arrival order. Each caller gets the answer it would get alone in that order. A consume that finds fewer
 * batches running goes at once, alone. See {@link Builder#coalesceConsumes(boolean)} and
 * {@link Builder#maxConcurrentBatches(int)}.
 *
 * <p><b>Failures.</b> A failure that surely changed nothing is retried up to {@link Builder#maxRetries(int)}
 * times, whatever the request: no connection could be had (nothing was sent); a transaction not yet asked
 * to commit broke (MariaDB's consume before its COMMIT: the database rolls it back); or the database
 * answered the statement, or the COMMIT, with an error that says it did not commit: a serialization
 * failure, a deadlock, a lock timeout, a statement timeout, too many connections, a shutdown (57P01, what
 * {@code pg_terminate_backend} sends, 57P02, 57P03). A connection that broke while an autocommitted
 * statement (a consume on PostgreSQL or H2) or a COMMIT was on its way leaves the outcome unknown: the
 * operation is retried only if it carries an operation id (a retry then answers
 * {@link ConsumeResult.Status#DUPLICATE} if the first attempt had committed) or is a
 * {@link ConsumeRequest.Mode#CHECK}; otherwise it throws a {@link StorageException} whose
 * {@link StorageException#outcomeUnknown()} is true. Every {@code StorageException} says which of the two it
 * is, in {@code outcomeUnknown()} and in its message, and carries the cause. A coalesced batch is retried the
 * same way, request by request: after a failure of unknown outcome, only its idempotent requests are retried
 * and the others throw. A caller interrupted while its consume waits to be sent gets a
 * {@link StorageException} (the consume was not counted); once it was sent, the caller waits for the answer
 * and keeps its interrupt status.
 *
 * <p><b>Schema.</b> {@link Builder#build()} checks that the tables, the columns the counter uses and, on
 * PostgreSQL and H2, its functions exist, and fails at once, naming what is missing, if they do not.
 *
 * <p><b>Purging.</b> Nothing in the database purges by itself: ended periods, expired reservations (refunded
 * then) and old operation ids stay until {@link #purge(long, int)} runs. Have the limiter run it on a
 * schedule with {@link dev.limits.Limiter.Builder#purgeEvery(java.time.Duration,
 * java.util.concurrent.ScheduledExecutorService) Limiter.Builder.purgeEvery}, or call it from a scheduler of
 * your own.
 *
 * <p>Thread-safe; borrows a connection from the data source per operation (per attempt, per batch). How
 * each dialect's consume is built is described in the internal package, not part of the API.
 *
 * @see UsageCounter
 * @see JdbcDialect
 */
public final class JdbcUsageCounter implements UsageCounter {

  private final JdbcDialect dialect;
  private final String prefix;
  private final Retrier retrier;
  private final Transactions transactions;
  private final ConsumeStrategy strategy;

  private JdbcUsageCounter(Builder builder, JdbcDialect dialect) {
    this.dialect = dialect;
    this.prefix = builder.tablePrefix;
    this.retrier = new Retrier(builder.dataSource, dialect, builder.maxRetries);
    Sql sql = new Sql(dialect, prefix);
    this.transactions = new Transactions(sql, false);
    this.strategy = ConsumeStrategy.of(dialect, sql, prefix, transactions, retrier, builder.coalesceConsumes,
        builder.maxConcurrentBatches, builder.fastConsume);
  }

  /**
   * Starts a builder for a counter on {@code dataSource}.
   *
   * @throws NullPointerException if {@code dataSource} is null
   * @param dataSource where the tables live; the host owns its pool
   * @return a builder
   */
  public static Builder builder(DataSource dataSource) {
    return new Builder(Objects.requireNonNull(dataSource, "dataSource"));
  }

  /** {@return the dialect in use, set or detected} */
  public JdbcDialect dialect() {
    return dialect;
  }

  /** {@return the table prefix in use} */
  public String tablePrefix() {
    return prefix;
  }

  @Override
  public ConsumeResult consume(ConsumeRequest request) {
    Objects.requireNonNull(request, "request");
    return strategy.consume(request);
  }

  /**
   * Runs {@code requests} as one coalesced batch, as if their callers had queued up together in this order;
   * for tests. On PostgreSQL only.
   */
  List<ConsumeResult> consumeAsOneBatch(List<ConsumeRequest> requests) {
    if (!(strategy instanceof PostgresStrategy postgres)) {
      throw new IllegalStateException("batches run on PostgreSQL only, not on " + dialect);
    }
    return postgres.consumeAsOneBatch(requests);
  }

  @Override
  public SettleResult settle(SettleRequest request) {
    Objects.requireNonNull(request, "request");
    return retrier.call("settle", true, false, c -> transactions.settle(c, request));
  }

  @Override
  public List<SlotUsage> snapshot(String subject, long now) {
    ConsumeRequest.requireSubject(subject);
    return retrier.call("usage snapshot", true, true, c -> transactions.snapshot(c, subject, now));
  }

  @Override
  public int purge(long now, int maxItems) {
    if (maxItems < 1) {
      throw new IllegalArgumentException("maxItems must be at least 1, got " + maxItems);
    }
    // Concurrent purgers fetch the same candidates and race for them; fetch again until a fetch comes up
    // short, so that answering less than maxItems still means that nothing is left.
    int handled = 0;
    while (handled < maxItems) {
      int want = maxItems - handled;
      int[] fetched = new int[1];
      handled += retrier.call("purge", true, false, c -> transactions.purgeCells(c, now, want, fetched));
      if (fetched[0] < want) {
        break;
      }
    }
    while (handled < maxItems) {
      int want = maxItems - handled;
      List<String[]> expired = retrier.call("purge", true, true, c -> transactions.expiredOperations(c, now, want));
      for (String[] op : expired) {
        if (retrier.call("purge", true, false, c -> transactions.purgeOperation(c, op[0], op[1], now))) {
          handled++;
        }
      }
      if (expired.size() < want) {
        break;
      }
    }
    return handled;
  }

  /**
   * Builds a {@link JdbcUsageCounter}. Each setter checks its argument at once. Not thread-safe.
   *
   * @see JdbcUsageCounter#builder(DataSource)
   */
  public static final class Builder {

    private final DataSource dataSource;
    private String tablePrefix = "limits_";
    private @Nullable JdbcDialect dialect;
    private boolean createSchemaIfMissing;
    private int maxRetries = 3;
    private boolean coalesceConsumes = true;
    private int maxConcurrentBatches = 2;
    private boolean fastConsume = true;

    private Builder(DataSource dataSource) {
      this.dataSource = dataSource;
    }

    /**
     * Sets the prefix of the table (and function) names; default {@code limits_}. It is spliced into SQL,
     * so it must be a plain identifier.
     *
     * @throws NullPointerException     if {@code tablePrefix} is null
     * @throws IllegalArgumentException unless it is a letter followed by up to 29 letters, digits or
     *                                  underscores
     * @param tablePrefix the prefix of the table names
     * @return this builder
     */
    public Builder tablePrefix(String tablePrefix) {
      this.tablePrefix = Prefixes.require(tablePrefix);
      return this;
    }

    /**
     * Sets the dialect instead of detecting it from the database's product name.
     *
     * @throws NullPointerException if {@code dialect} is null
     * @param dialect the database dialect
     * @return this builder
     */
    public Builder dialect(JdbcDialect dialect) {
      this.dialect = Objects.requireNonNull(dialect, "dialect");
      return this;
    }

    /**
     * Whether {@link #build()} creates the tables (and the PostgreSQL or H2 functions) if they are missing;
     * default false, for schemas managed by migrations (from the DDL in {@link JdbcDialect#schemaResource()}).
     * The DDL is idempotent; run it from one process at a time. Either way {@code build()} then checks the
     * schema.
     * @param createSchemaIfMissing whether to create missing tables and functions
     * @return this builder
     */
    public Builder createSchemaIfMissing(boolean createSchemaIfMissing) {
      this.createSchemaIfMissing = createSchemaIfMissing;
      return this;
    }

    /**
     * Sets how often a failed operation is retried when that is safe; default 3.
     *
     * @throws IllegalArgumentException if {@code maxRetries} is negative or above 100
     * @param maxRetries the most retries of one operation, 0 to 100
     * @return this builder
     */
    public Builder maxRetries(int maxRetries) {
      if (maxRetries < 0 || maxRetries > 100) {
        throw new IllegalArgumentException("maxRetries must be between 0 and 100, got " + maxRetries);
      }
      this.maxRetries = maxRetries;
      return this;
    }

    /**
     * Whether concurrent consumes on PostgreSQL share statements; default true. A consume that finds fewer
     * than {@link #maxConcurrentBatches(int)} batches of this counter running goes at once, alone, as one
     * statement. Consumes that arrive while that many run queue up, of any subjects, and when a batch ends
     * the oldest of them sends everything queued (up to 64) as one statement and one transaction, in which
     * the requests run one after another in arrival order: each caller gets exactly the answer it would get
     * alone in that order, all or nothing per request. Under load, consumes so take fewer statements, round
     * trips and commits each, and a hot subject's rows are locked and written once per batch instead of once
     * per consume. Failures are retried per request as without coalescing. Ignored on other databases.
     *
     * @param coalesceConsumes whether to batch concurrent consumes
     * @return this builder
     */
    public Builder coalesceConsumes(boolean coalesceConsumes) {
      this.coalesceConsumes = coalesceConsumes;
      return this;
    }

    /**
     * How many coalesced batches this counter runs at once on PostgreSQL; default 2. Consumes that arrive
     * while that many run queue up and go as the next batch: with one, the database does the least work per
     * consume but works on one batch at a time, however many cores it has; with two, the next batch runs on
     * a second connection while the first is still on its way, which serves more consumes per second when the
     * application and the database share a machine of few cores (BENCHMARKS.md has the figures). More let one
     * process use more of a database server that has cores to spare, at more statements per consume.
     *
     * @throws IllegalArgumentException if {@code maxConcurrentBatches} is not between 1 and 64
     * @param maxConcurrentBatches the most batches running at once, 1 to 64
     * @return this builder
     */
    public Builder maxConcurrentBatches(int maxConcurrentBatches) {
      if (maxConcurrentBatches < 1 || maxConcurrentBatches > 64) {
        throw new IllegalArgumentException(
            "maxConcurrentBatches must be between 1 and 64, got " + maxConcurrentBatches);
      }
      this.maxConcurrentBatches = maxConcurrentBatches;
      return this;
    }

    /** For tests: whether PostgreSQL tries the fast consume function first; default true. */
    Builder fastConsume(boolean fastConsume) {
      this.fastConsume = fastConsume;
      return this;
    }

    /**
     * Builds the counter: detects the dialect (unless it was set), creates the schema if so configured,
     * and checks that the tables, the columns the counter uses and (on PostgreSQL and H2) the functions
     * exist, with a few cheap queries. A schema left to migrations is so found missing here, once, rather
     * than by every consume.
     *
     * @throws IllegalArgumentException if the database product is not supported
     * @throws IllegalStateException    if the schema lacks a table, column or function the counter uses;
     *                                  the message names each missing piece, the DDL resource and
     *                                  {@link #createSchemaIfMissing(boolean)}
     * @throws StorageException         if the database cannot be reached or the DDL fails
     * @return the counter
     */
    public JdbcUsageCounter build() {
      JdbcDialect resolved = dialect;
      List<String> missing;
      try (Connection c = dataSource.getConnection()) {
        if (resolved == null) {
          resolved = JdbcDialect.fromProductName(c.getMetaData().getDatabaseProductName());
        }
        if (createSchemaIfMissing) {
          try {
            Schema.create(c, resolved, tablePrefix);
          } catch (SQLException e) {
            throw new StorageException("cannot create the limits schema from " + resolved.schemaResource()
                + " with the table prefix '" + tablePrefix + "': " + e.getMessage(), e, false);
          }
        }
        missing = Schema.missing(c, resolved, tablePrefix);
      } catch (SQLException e) {
        throw new StorageException("cannot reach the database to " + (dialect == null ? "detect its dialect and "
            : "") + "check the limits schema: " + e.getMessage(), e, false);
      }
      if (!missing.isEmpty()) {
        throw new IllegalStateException("the limits schema with the table prefix '" + tablePrefix + "' is"
            + " incomplete: missing " + String.join("; ", missing) + ". Create it from the DDL in the class-path"
            + " resource " + resolved.schemaResource() + " (with ${prefix} replaced by '" + tablePrefix
            + "'), in a Flyway or Liquibase migration for example, or build the counter with"
            + " createSchemaIfMissing(true)");
      }
      return new JdbcUsageCounter(this, resolved);
    }
  }
}
