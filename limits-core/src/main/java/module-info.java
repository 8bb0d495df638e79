/**
 * limits-core: policies, calendar windows, the {@link dev.limits.Limiter} facade, the {@link
 * dev.limits.spi.UsageCounter} SPI and an in-memory counter.
 *
 * <p>Exports the API ({@code dev.limits}) and the SPI ({@code dev.limits.spi}) only; {@code
 * dev.limits.internal} stays encapsulated. Needs slf4j-api at run time and nothing else; the JSpecify
 * annotations are read at compile time only.
 */
module dev.limits.core {
  requires org.slf4j;
  requires static org.jspecify;

  exports dev.limits;
  exports dev.limits.spi;
}
