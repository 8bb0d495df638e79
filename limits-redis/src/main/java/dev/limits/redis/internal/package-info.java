/**
 * Everything behind {@link dev.limits.redis.RedisUsageCounter}. Not part of the API; may change in any
 * release.
 *
 * <ul>
 *   <li>{@link dev.limits.redis.internal.Keys}: the key of each subject's cells, operations and expiry index,
 *       all under the hash tag of the subject's tenant, and the Cluster slot check of a request.
 *   <li>{@link dev.limits.redis.internal.Script}: one Lua script ({@code consume.lua} and {@code settle.lua},
 *       each after {@code cell.lua}, the cell arithmetic that must run inside Redis; {@code drop.lua} for
 *       purge), run with EVALSHA and, on NOSCRIPT, EVAL.
 *   <li>{@link dev.limits.redis.internal.StoredCell}: a stored cell read into
 *       {@link dev.limits.spi.WindowCell}'s layout, for snapshots and for what purge may drop.
 *   <li>{@link dev.limits.redis.internal.Faults}: what a Lettuce failure means for the caller: a
 *       {@code StorageException} that says whether the operation may have taken effect.
 * </ul>
 *
 * <h2>The path of a consume</h2>
 * {@code RedisUsageCounter.consume} computes in Java what it can (the keys, each subject's time to live, the
 * fingerprint) and sends the request as arguments of one EVALSHA of {@code consume.lua}, which reads every
 * cell of the request with one HMGET per subject, checks the operation id, checks every charge, and then
 * writes every cell or none (one HSET per subject) and remembers the operation id: one round trip, atomic
 * because Redis runs a script alone.
 */
@NullMarked
package dev.limits.redis.internal;

import org.jspecify.annotations.NullMarked;
