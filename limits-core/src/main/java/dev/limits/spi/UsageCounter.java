package dev.limits.spi;

import java.util.List;

/**
 * The storage contract: atomic check-and-count over several windows of several metrics at once.
 *
 * <p>An operation touches the cells of one subject or, for a request that charges several (a user, their
 * team and their organisation), of each of them. A {@link ConsumeRequest} is all or nothing: either every
 * charge of every subject is counted or none is, and no concurrent operation observes a state in between. Two
 * operations carrying the same operation id count once: the store remembers each id with the request's
 * {@link ConsumeRequest#fingerprint()}, and a later request with that id answers
 * {@link ConsumeResult.Status#DUPLICATE} if its fingerprint is the same (a retry), or
 * {@link ConsumeResult.Status#MISMATCH} if not (the id reused for another request). Reservations made with
 * {@link ConsumeRequest.Mode#RESERVE} are settled by {@link #settle} or, once expired, refunded exactly once
 * by {@link #purge}; a settled reservation remembers whether it was committed or cancelled.
 *
 * <p>Implementations are thread-safe, and stores shared by several processes keep these guarantees across
 * them. The testkit's {@code UsageCounterContract} checks an implementation against this contract; a user's
 * own store extends it in a few lines. The store in memory comes from {@code dev.limits.UsageCounters}.
 *
 * @see ConsumeRequest
 * @see dev.limits.Limiter
 */
public interface UsageCounter {

  /**
   * Carries out a consume request atomically.
   *
   * @param request the operation
   * @return the usage of each charge's cell and whether it was applied
   * @throws NullPointerException if {@code request} is null
   * @throws StorageException     if the storage failed and a bounded retry did not help. Whether the request
   *                              took effect is then unknown, unless it carried an operation id: retrying it
   *                              with the same id answers {@link ConsumeResult.Status#DUPLICATE} if it did
   */
  ConsumeResult consume(ConsumeRequest request);

  /**
   * Settles or cancels a reservation, atomically and at most once.
   *
   * @param request the reservation and its final amounts
   * @return whether it was settled now, committed before ({@link SettleResult#ALREADY_SETTLED}), cancelled
   *         before ({@link SettleResult#CANCELLED}) or not found
   * @throws NullPointerException     if {@code request} is null
   * @throws IllegalArgumentException if the number of final amounts differs from the reservation's charges
   * @throws StorageException         if the storage failed
   */
  SettleResult settle(SettleRequest request);

  /**
   * Returns what is stored for {@code subject} at {@code now}: one entry per cell whose period has not
   * ended, in no particular order.
   *
   * @param subject who is counted
   * @param now     the current time, epoch milliseconds
   * @return the live cells
   * @throws NullPointerException     if {@code subject} is null
   * @throws IllegalArgumentException if {@code subject} is malformed
   * @throws StorageException         if the storage failed
   */
  List<SlotUsage> snapshot(String subject, long now);

  /**
   * Drops cells that can no longer count: a rolling cell once its last counted bucket ended at or before
   * {@code now}, a calendar or lifetime cell once {@link Slot#calendarCellKeptUntil} of its period is at or
   * before {@code now} (no slot of any zone can overlap it then). Refunds reservations that expired before
   * {@code now} (each exactly once), and forgets operation ids remembered until before {@code now}; a settled
   * reservation forgotten this way answers {@link SettleResult#NOT_FOUND} afterwards.
   * Works in bounded batches and never blocks consumes for long.
   *
   * @param now      the current time, epoch milliseconds
   * @param maxItems the most cells, reservations and ids to handle in this call, at least 1
   * @return how many were handled; less than {@code maxItems} means nothing is left to purge
   * @throws IllegalArgumentException if {@code maxItems} is less than 1
   * @throws StorageException         if the storage failed
   */
  int purge(long now, int maxItems);
}
