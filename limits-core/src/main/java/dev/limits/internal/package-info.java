/**
 * Implementation details of limits-core: argument checks, the in-memory counter, the period cache and the
 * guard around user listeners.
 *
 * <p>Not part of the API: the module does not export this package, and any type here may change or
 * disappear in any release. Other modules of the project must not use it either.
 */
@NullMarked
package dev.limits.internal;

import org.jspecify.annotations.NullMarked;
