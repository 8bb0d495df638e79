package dev.limits.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.limits.UsageCounters;
import dev.limits.spi.Charge;
import dev.limits.spi.ConsumeRequest;
import dev.limits.spi.ConsumeRequest.Mode;
import dev.limits.spi.ConsumeResult;
import dev.limits.spi.SettleRequest;
import dev.limits.spi.Slot;
import dev.limits.spi.UsageCounter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Random sequences of consumes in every mode, settlements, purges and snapshots, with clocks that jump
 * ahead and lag behind, run against each database and against the in-memory reference counter: every
 * answer must be the same.
 */
class ReferenceModelTest {

  private static final long T0 = 1_767_225_600_000L;
  private static final long MINUTE = 60_000L;
  private static final long HOUR = 60 * MINUTE;
  private static final long DAY = 24 * HOUR;
  private static final Mode[] MODES = Mode.values();

  static Stream<Arguments> databases() {
    return Stream.of(Arguments.of("PostgreSQL", Databases.postgresPool()),
        Arguments.of("H2", Databases.h2Pool()), Arguments.of("MariaDB", Databases.mariaDbPool()));
  }

  @ParameterizedTest(name = "{0}", autoCloseArguments = false) // the pools are shared
  @MethodSource("databases")
  void answersLikeTheInMemoryReference(String name, DataSource dataSource) {
    JdbcUsageCounter store = JdbcUsageCounter.builder(dataSource).tablePrefix("model_")
        .createSchemaIfMissing(true).build();
    for (long seed = 1; seed <= 4; seed++) {
      Databases.truncate(dataSource, "model_");
      run(name + " seed " + seed, store, UsageCounters.inMemory(), new SplittableRandom(seed));
    }
  }

  private static Slot slot(int key, long at) {
    switch (key) {
      case 0: {
        long start = Math.floorDiv(at, HOUR) * HOUR;
        return new Slot("a@hour", start, start + HOUR, 0);
      }
      case 1: {
        long start = Math.floorDiv(at, DAY) * DAY;
        return new Slot("b@day", start, start + DAY, 0);
      }
      case 2: {
        long start = Math.floorDiv(at, 5 * MINUTE) * 5 * MINUTE;
        return new Slot("r@rolling", start, start + 5 * MINUTE, 3);
      }
      default:
        return new Slot("l@lifetime", 0, Long.MAX_VALUE, 0);
    }
  }

  private static void run(String label, UsageCounter store, UsageCounter reference, SplittableRandom random) {
    long clock = T0;
    List<String> reservations = new ArrayList<>();
    java.util.Map<String, Integer> reservedCharges = new java.util.HashMap<>();
    List<String> ids = new ArrayList<>();
    for (int step = 0; step < 250; step++) {
      String at = label + " step " + step;
      int kind = random.nextInt(20);
      clock += random.nextInt(4) == 0 ? random.nextLong(40 * MINUTE) : random.nextLong(MINUTE);
      // now and then a caller whose clock lags up to two hours behind
      long now = random.nextInt(6) == 0 ? clock - random.nextLong(2 * HOUR) : clock;
      String subject = random.nextInt(5) == 0 ? "s2" : "s1";
      if (kind == 0) {
        int handled = store.purge(clock, 1 + random.nextInt(5));
        reference.purge(clock, 1000);
        store.purge(clock, 1000); // both fully purged; the counts may differ (placeholder rows)
        assertThat(handled).as(at).isGreaterThanOrEqualTo(0);
        continue;
      }
      if (kind == 1 && !reservations.isEmpty()) {
        String id = reservations.get(random.nextInt(reservations.size()));
        int size = reservedCharges.get(id);
        long[] finals = new long[size];
        for (int i = 0; i < size; i++) {
          finals[i] = random.nextInt(8);
        }
        SettleRequest request = new SettleRequest("s1", id, finals, now);
        assertThat(store.settle(request)).as(at + " settle " + id).isEqualTo(reference.settle(request));
        continue;
      }
      if (kind == 2) {
        assertThat(store.snapshot(subject, clock)).as(at + " snapshot")
            .containsExactlyInAnyOrderElementsOf(reference.snapshot(subject, clock));
        continue;
      }
      List<Integer> keys = new ArrayList<>(List.of(0, 1, 2, 3));
      Collections.shuffle(keys, new java.util.Random(random.nextLong()));
      int n = 1 + random.nextInt(3);
      List<Charge> charges = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        charges.add(new Charge(slot(keys.get(i), now), random.nextInt(16), random.nextInt(7)));
      }
      Mode mode = MODES[random.nextInt(MODES.length)];
      String id = null;
      if (mode == Mode.RESERVE || random.nextInt(3) == 0) {
        id = !ids.isEmpty() && random.nextInt(4) == 0 ? ids.get(random.nextInt(ids.size()))
            : "op-" + step;
        ids.add(id);
      }
      long expiresAt = now + random.nextLong(3 * HOUR);
      ConsumeRequest request = new ConsumeRequest(mode == Mode.RESERVE ? "s1" : subject, charges, mode, id,
          expiresAt, now);
      ConsumeResult expected = reference.consume(request);
      ConsumeResult actual = store.consume(request);
      assertThat(actual).as(at + " " + request).usingRecursiveComparison().isEqualTo(expected);
      if (mode == Mode.RESERVE && expected.status() == ConsumeResult.Status.APPLIED) {
        reservations.add(id);
        reservedCharges.put(id, n);
      }
    }
  }
}
