/**
 * JMH benchmarks of the consume path against Bucket4j, and the tools that run a short profile and turn its
 * JSON results into the tables of BENCHMARKS.md. Not published.
 *
 * <p>Nothing here accepts or returns null unless marked {@link org.jspecify.annotations.Nullable}. Fields of
 * JMH {@code @State} classes are set in their {@code @Setup} methods.
 */
@NullMarked
package dev.limits.benchmarks;

import org.jspecify.annotations.NullMarked;
