package dev.limits.spi;

/**
 * The outcome of {@link UsageCounter#settle}.
 *
 * @see SettleRequest
 */
public enum SettleResult {
  /** The reservation was live and is now settled. */
  SETTLED,
  /**
   * The reservation was settled before to amounts not all zero (committed), by this or an earlier request
   * with the same id; nothing changed.
   */
  ALREADY_SETTLED,
  /**
   * The reservation was cancelled before: settled with every final amount zero, by this or an earlier request
   * with the same id; nothing changed. Unlike after {@link #ALREADY_SETTLED}, nothing of the reservation
   * counts any more.
   */
  CANCELLED,
  /** No such reservation: never made, or refunded after it expired. Nothing changed. */
  NOT_FOUND
}
