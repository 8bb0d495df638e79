/**
 * What a storage backend implements: the {@link dev.limits.spi.UsageCounter} interface and the requests and
 * results it exchanges with the {@link dev.limits.Limiter}.
 *
 * <p>Applications do not call these types directly; they pick a counter (in memory, JDBC, their own) and pass
 * it to {@link dev.limits.Limiter#builder}. A counter implementation must pass the testkit's contract suite.
 * {@link dev.limits.spi.WindowCell} holds the arithmetic of a counter cell that every store shares, and
 * {@link dev.limits.spi.Identifiers} the rule for the ids a store receives. The package stands alone: it uses
 * nothing of the library above it but the root exception.
 *
 * <p>Nothing here accepts or returns null unless marked {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package dev.limits.spi;

import org.jspecify.annotations.NullMarked;
