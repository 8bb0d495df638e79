/**
 * Implementation details of limits-core: argument checks, the in-memory counter, the period cache, a
 * request's evaluation and the one route by which the limiter reaches its counter ({@link
 * dev.limits.internal.ConsumeRoute}), and the guard around user listeners.
 *
 * <p>Not part of the API: the module does not export this package, and any type here may change or
 * disappear in any release. Other modules of the project must not use it either.
 */
@NullMarked
package dev.limits.internal;

import org.jspecify.annotations.NullMarked;
