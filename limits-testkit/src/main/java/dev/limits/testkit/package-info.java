/**
 * Test support for applications and storage backends that use limits: a {@link dev.limits.testkit.FakeClock}
 * moved by hand, AssertJ assertions for decisions, a store that is down
 * ({@link dev.limits.testkit.UnavailableUsageCounter}), and {@link dev.limits.testkit.UsageCounterContract},
 * the contract suite every {@link dev.limits.spi.UsageCounter} passes.
 *
 * <p>Belongs here: anything a test of limits needs and a production application does not. Depends on JUnit 5
 * and AssertJ, so it is for test scope only.
 *
 * <p>Nothing here accepts or returns null unless marked {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package dev.limits.testkit;

import org.jspecify.annotations.NullMarked;
