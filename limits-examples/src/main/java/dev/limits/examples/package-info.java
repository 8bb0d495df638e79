/**
 * Runnable examples of limits; not published. Each example is a class with a {@code main} method that uses
 * only the public API ({@code dev.limits}).
 */
@NullMarked
package dev.limits.examples;

import org.jspecify.annotations.NullMarked;
