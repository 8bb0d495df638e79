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
 *   <li>{@code PostgresArrays}: packs one request or a batch into the arrays of the PL/pgSQL function
 *       {@code counter_consume} and decodes its answer; {@link dev.limits.jdbc.internal.FastConsume} does the
 *       same for {@code counter_consume_fast}, reducing a batch to one entry per cell with its total and
 *       room (the arithmetic of "every charge fits in turn" done once, in Java).
 *   <li>{@link dev.limits.jdbc.internal.Transactions}: the transaction scripts, wired for one prefix and
 *       dialect: {@code ConsumeScript} (a consume: read, lock, check, write), run by the client on MariaDB and
 *       MySQL and inside the engine on H2 ({@link dev.limits.jdbc.internal.H2Consume}, the request carried as
 *       text by {@link dev.limits.jdbc.internal.RequestCodec}); {@code Settlement} (holds, settle, the refund
 *       of an expired reservation) and {@code Purge}, on every dialect. Beneath them {@code CellRows} (the
 *       counter table's rows, and the one locking order) and {@code OperationRows} (the operation table's,
 *       its states coded by {@code OperationState}).
 *   <li>{@link dev.limits.jdbc.internal.CellState}: a stored row read into the layout of the SPI's
 *       {@code WindowCell}, whose arithmetic it calls;
 *       {@link dev.limits.jdbc.internal.Sql}: the statements per dialect and prefix;
 *       {@link dev.limits.jdbc.internal.Schema}: creating and checking the schema;
 *       {@link dev.limits.jdbc.internal.Prefixes}: the table prefix check.
 * </ul>
 *
 * <h2>Codes that cross into SQL</h2>
 * A mode is stored and sent as {@code ConsumeRequest.Mode#code()}, a status answered as
 * {@code ConsumeResult.Status#code()}, an operation's state as {@code OperationState#code()}; never an
 * ordinal, so that reordering an enum cannot change what a stored row or a function's answer means.
 *
 * <h2>Several subjects, one order</h2>
 * A request may charge cells of several subjects (a user's plan and the organisation's pool); it is all or
 * nothing across them. Every locker takes counter rows in one order, subject then key, so that two requests
 * sharing a subject never deadlock. On PostgreSQL each statement that locks sorts by {@code subject,
 * counter_key} in the database's collation: the consume functions (the fast one's UPDATE visits its cells
 * in that order) and {@code CellRows} for settles and purges, so that a settle (Java) and a consume (SQL)
 * agree. On H2, MariaDB and MySQL every locker is {@code CellRows}: subjects in {@link String#compareTo}
 * order, each subject's rows along the primary key (H2 locks rows as its scan meets them, before any
 * ORDER BY, so one statement per subject). What matters is only that all lockers of one database agree.
 * A reservation's holds remember each charge's subject ({@code charged_subject}), so that settling and
 * purging adjust every subject's cells.
 *
 * <h2>The path of a consume</h2>
 * <ul>
 *   <li>PostgreSQL, coalesced (the default): {@code JdbcUsageCounter.consume} → {@code PostgresStrategy} →
 *       {@code Coalescer.consume} (goes at once, or queues and joins the next batch) →
 *       {@code Retrier.run} on the batch, in autocommit → on one connection {@code counter_consume_fast} when
 *       every request is an ENFORCE without operation id on lookback-0 slots and it answers (one plain
 *       UPDATE that writes every row or nothing, answering from a lock-free read when it denies); otherwise
 *       {@code counter_consume}, the one general function, for a batch of one as for several (several: rows
 *       locked once, then the requests run in arrival order).
 *   <li>PostgreSQL, not coalesced: {@code PostgresStrategy} → {@code Retrier.call} (a batch of one) → the same
 *       statements as a coalesced batch of one.
 *   <li>H2: {@code H2Strategy} → {@code Retrier.call} in autocommit → {@code CALL counter_consume(prefix,
 *       request)} → {@code H2Consume} → {@code ConsumeScript} on the caller's session. A statement that lost
 *       a race to insert a row fails as a whole and is retried.
 *   <li>MariaDB and MySQL: {@code MySqlStrategy} → {@code Retrier.call} in a READ COMMITTED transaction →
 *       {@code ConsumeScript} (a few statements), then COMMIT, or a rollback and the first request's answer
 *       when the operation id was taken.
 * </ul>
 */
@NullMarked
package dev.limits.jdbc.internal;

import org.jspecify.annotations.NullMarked;
