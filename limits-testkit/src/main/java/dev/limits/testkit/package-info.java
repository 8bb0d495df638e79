/**
 * Test support for code that uses limits and for storage backends: a {@link dev.limits.testkit.FakeClock}
 * moved by hand, and {@link dev.limits.testkit.UsageCounterContract}, the contract suite every
 * {@link dev.limits.spi.UsageCounter} passes.
 */
package dev.limits.testkit;
