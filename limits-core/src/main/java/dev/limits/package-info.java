/**
 * The API of limits: policies and their windows and quotas, requests, decisions and the {@link
 * dev.limits.Limiter} facade that checks and counts a request against a policy.
 *
 * <p>Everything an application calls lives here. Types are immutable and thread-safe unless their
 * Javadoc says otherwise. Storage backends implement {@link dev.limits.spi}; {@code dev.limits.internal}
 * is not part of the API and may change in any release.
 *
 * <p>Nothing here accepts or returns null unless marked {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package dev.limits;

import org.jspecify.annotations.NullMarked;
