/**
 * A small application that uses limits as a named module: proves that {@code dev.limits} and {@code
 * dev.limits.spi} are exported and enough to run a limiter. Not published.
 */
@NullMarked
package dev.limits.it.jpms;

import org.jspecify.annotations.NullMarked;
