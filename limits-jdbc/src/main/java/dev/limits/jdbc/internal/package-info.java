/**
 * Everything behind {@link dev.limits.jdbc.JdbcUsageCounter}. Not part of the API; may change in any
 * release. {@link dev.limits.jdbc.internal.H2Consume} is public only because H2 calls it by name.
 *
 * <h2>Who does what</h2>
 * <ul>
 *   <li>{@link dev.limits.jdbc.internal.ConsumeStrategy}: how a consume runs on the counter's dialect,
 *       chosen once when the counter is built: {@link dev.limits.jdbc.internal.PostgresStrategy},
 *       {@link dev.limits.jdbc.internal.H2Strategy}, {@link dev.limits.jdbc.internal.MySqlStrategy}.
 *   <li>{@link dev.limits.jdbc.internal.Retrier}: the one retry loop, for consumes (a batch, or a single
 *       consume as a batch of one), settles, snapshots and purges; it borrows the connection, runs the work in
 *       autocommit or in a transaction it commits, and asks {@link dev.limits.jdbc.internal.Faults} what a
 *       failure means (surely not applied: retry; outcome unknown: retry only what is idempotent, an
 *       operation id or a check; otherwise a {@code StorageException} saying which).
 *   <li>{@link dev.limits.jdbc.internal.Coalescer}: group commit on PostgreSQL; queues consumes while
 *       enough batches run and hands the queue to its oldest caller as the next batch.
 *   <li>{@link dev.limits.jdbc.internal.PostgresArrays}: packs requests into the arrays of the PL/pgSQL
 *       functions {@code counter_consume} and {@code counter_consume_batch} and decodes their answers;
 *       {@link dev.limits.jdbc.internal.FastConsume} does the same for {@code counter_consume_fast}, reducing
 *       a batch to one entry per cell with its total and room.
 *   <li>{@link dev.limits.jdbc.internal.Transactions}: the transaction script of a consume (read, lock in key
 *       order, check, write), run by the client on MariaDB and MySQL and inside the engine on H2
 *       ({@link dev.limits.jdbc.internal.H2Consume}, the request carried as text by
 *       {@link dev.limits.jdbc.internal.RequestCodec}); and settle, snapshot and purge on every dialect.
 *   <li>{@link dev.limits.jdbc.internal.CellState}: a cell's buckets and their arithmetic on the Java side;
 *       {@link dev.limits.jdbc.internal.Sql}: the statements per dialect and prefix;
 *       {@link dev.limits.jdbc.internal.Schema}: creating and checking the schema;
 *       {@link dev.limits.jdbc.internal.Prefixes}: the table prefix check.
 * </ul>
 *
 * <h2>The path of a consume</h2>
 * <ul>
 *   <li>PostgreSQL, coalesced (the default): {@code JdbcUsageCounter.consume} → {@code PostgresStrategy} →
 *       {@code Coalescer.consume} (goes at once, or queues and joins the next batch) →
 *       {@code Retrier.run} on the batch, in autocommit → on one connection {@code counter_consume_fast} when
 *       every request is an ENFORCE without operation id on lookback-0 slots and it answers (one plain
 *       UPDATE that writes every row or nothing, answering from a lock-free read when it denies); otherwise
 *       {@code counter_consume} for a batch of one, {@code counter_consume_batch} for several (rows locked
 *       once, requests run in arrival order).
 *   <li>PostgreSQL, not coalesced: {@code PostgresStrategy} → {@code Retrier.call} (a batch of one) → the same
 *       statements as a coalesced batch of one.
 *   <li>H2: {@code H2Strategy} → {@code Retrier.call} in autocommit → {@code CALL counter_consume(prefix,
 *       request)} → {@code H2Consume} → {@code Transactions.consume} on the caller's session. A statement
 *       that lost a race to insert a row fails as a whole and is retried.
 *   <li>MariaDB and MySQL: {@code MySqlStrategy} → {@code Retrier.call} in a READ COMMITTED transaction →
 *       {@code Transactions.consume} (a few statements), then COMMIT, or a rollback and the first request's
 *       answer when the operation id was taken.
 * </ul>
 */
@NullMarked
package dev.limits.jdbc.internal;

import org.jspecify.annotations.NullMarked;
