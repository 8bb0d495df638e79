package dev.limits.internal;

import dev.limits.spi.Charge;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * An operation id that a {@link SubjectState} remembers, with the
 * {@link dev.limits.spi.ConsumeRequest#fingerprint()} of its request; for a reservation, its charges, the
 * bucket each was counted in and, if it charges several subjects, their ids. Guarded by its owner's lock.
 */
final class Operation {
  final String id;
  final long expiresAt;
  final long fingerprint;
  final @Nullable List<Charge> charges;
  // A reservation's subjects if it charges several, the first its owner's; null otherwise.
  final @Nullable List<String> subjects;
  final long[] chargedStarts;
  boolean settled;
  boolean cancelled; // settled with every final amount zero

  Operation(String id, long expiresAt, long fingerprint, @Nullable List<Charge> charges,
      @Nullable List<String> subjects, long[] chargedStarts) {
    this.id = id;
    this.expiresAt = expiresAt;
    this.fingerprint = fingerprint;
    this.charges = charges;
    this.subjects = subjects;
    this.chargedStarts = chargedStarts;
  }
}
