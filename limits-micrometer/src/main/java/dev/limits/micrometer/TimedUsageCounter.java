package dev.limits.micrometer;

import dev.limits.spi.ConsumeRequest;
import dev.limits.spi.ConsumeResult;
import dev.limits.spi.SettleRequest;
import dev.limits.spi.SettleResult;
import dev.limits.spi.SlotUsage;
import dev.limits.spi.StorageException;
import dev.limits.spi.UsageCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A {@link UsageCounter} that times every call to another one: the latency a limiter adds before each AI
 * call, as the Micrometer timer {@value #STORE}, tagged {@code operation} ({@code consume}, {@code settle},
 * {@code snapshot}, {@code purge}) and {@code outcome}: {@code success}; {@code failure} for a
 * {@link StorageException} that certainly changed nothing; {@code unknown} for one after which the operation
 * may have taken effect ({@link StorageException#outcomeUnknown()}); {@code error} for anything else thrown
 * (a bad request). It changes nothing else: the same results, the same exceptions.
 *
 * <p>Wrapping the in-memory counter gives up the limiter's allocation-free route for it: time a store that
 * leaves the JVM (a database, Redis), where the latency is worth watching.
 */
public final class TimedUsageCounter implements UsageCounter {

  /** The name of the timer. */
  public static final String STORE = "limits.store";

  private final UsageCounter counter;
  private final Meter.MeterProvider<Timer> timer;

  private TimedUsageCounter(UsageCounter counter, MeterRegistry registry) {
    this.counter = counter;
    this.timer = Timer.builder(STORE).description("Latency of the limits store, by operation and outcome")
        .withRegistry(registry);
  }

  /**
   * Wraps {@code counter}, timing its calls in {@code registry}.
   *
   * @param counter  the store to time
   * @param registry where the timer goes
   * @return the timed store
   * @throws NullPointerException if an argument is null
   */
  public static TimedUsageCounter wrap(UsageCounter counter, MeterRegistry registry) {
    return new TimedUsageCounter(Objects.requireNonNull(counter, "counter"),
        Objects.requireNonNull(registry, "registry"));
  }

  @Override
  public ConsumeResult consume(ConsumeRequest request) {
    return time("consume", () -> counter.consume(request));
  }

  @Override
  public SettleResult settle(SettleRequest request) {
    return time("settle", () -> counter.settle(request));
  }

  @Override
  public List<SlotUsage> snapshot(String subject, long now) {
    return time("snapshot", () -> counter.snapshot(subject, now));
  }

  @Override
  public int purge(long now, int maxItems) {
    return time("purge", () -> counter.purge(now, maxItems));
  }

  private <T> T time(String operation, Supplier<T> call) {
    long start = System.nanoTime();
    String outcome = "error";
    try {
      T result = call.get();
      outcome = "success";
      return result;
    } catch (StorageException e) {
      outcome = e.outcomeUnknown() ? "unknown" : "failure";
      throw e;
    } finally {
      timer.withTags("operation", operation, "outcome", outcome).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public String toString() {
    return "TimedUsageCounter[" + counter + "]";
  }
}
