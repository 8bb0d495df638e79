package dev.limits.jdbc.internal;

import dev.limits.spi.ConsumeRequest;

/**
 * The {@code state} column of the operation table, as stored codes: {@link #code()} is what the rows and the
 * PostgreSQL consume function hold, never the ordinal, so that reordering the constants cannot change what a
 * stored row means.
 */
enum OperationState {
  /** An operation other than a reservation: remembered for idempotency only. */
  APPLIED(0),
  /** A reservation not settled: its holds are in the hold table. */
  HELD(1),
  /** A reservation settled to final amounts not all zero. */
  COMMITTED(2),
  /** A reservation settled with every final amount zero. */
  CANCELLED(3);

  private static final OperationState[] BY_CODE = {APPLIED, HELD, COMMITTED, CANCELLED};

  private final int code;

  OperationState(int code) {
    this.code = code;
  }

  /** {@return the stored code} */
  int code() {
    return code;
  }

  /** The state a consume of {@code mode} with an operation id leaves. */
  static OperationState after(ConsumeRequest.Mode mode) {
    return mode == ConsumeRequest.Mode.RESERVE ? HELD : APPLIED;
  }

  /**
   * The state of a stored code.
   *
   * @throws IllegalStateException if no state has that code (a row written by something else)
   */
  static OperationState ofCode(int code) {
    if (code < 0 || code >= BY_CODE.length) {
      throw new IllegalStateException("corrupt operation row: no state has code " + code);
    }
    return BY_CODE[code];
  }
}
