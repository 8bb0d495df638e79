package dev.limits.spi;

/**
 * The outcome of {@link UsageCounter#settle}.
 *
 * @see SettleRequest
 */
public enum SettleResult {
  /** The reservation was live and is now settled. */
  SETTLED,
  /** The reservation was settled before, by this or an earlier request with the same id; nothing changed. */
  ALREADY_SETTLED,
  /** No such reservation: never made, or refunded after it expired. Nothing changed. */
  NOT_FOUND
}
