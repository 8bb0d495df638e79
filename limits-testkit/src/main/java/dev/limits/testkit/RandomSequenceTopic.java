package dev.limits.testkit;

import static dev.limits.testkit.UsageCounterContract.HOUR;
import static dev.limits.testkit.UsageCounterContract.MINUTE;
import static dev.limits.testkit.UsageCounterContract.T0;
import static dev.limits.testkit.UsageCounterContract.charge;
import static dev.limits.testkit.UsageCounterContract.day;
import static dev.limits.testkit.UsageCounterContract.hour;
import static dev.limits.testkit.UsageCounterContract.lifetime;
import static dev.limits.testkit.UsageCounterContract.rolling;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.limits.spi.Charge;
import dev.limits.spi.ConsumeRequest;
import dev.limits.spi.ConsumeRequest.Mode;
import dev.limits.spi.ConsumeResult;
import dev.limits.spi.ConsumeResult.Status;
import dev.limits.spi.SettleRequest;
import dev.limits.spi.SettleResult;
import dev.limits.spi.Slot;
import dev.limits.spi.SlotUsage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Random operation sequences on three subjects, checked step by step against {@link ReferenceModel}, a plain
 * model of the SPI Javadoc.
 */
abstract class RandomSequenceTopic extends ContractTopic {

  private static final long MODEL_BUCKET = 10 * MINUTE;
  private static final int MODEL_LOOKBACK = 5;
  private static final long[] MODEL_LIMITS = {20, 60, 500, 4000, 30};
  private static final int MODEL_ROLLING = 4;

  RandomSequenceTopic(UsageCounterContract contract) {
    super(contract);
  }

  private static Slot modelSlot(int kind, long at) {
    switch (kind) {
      case 0: return hour("m", at);
      case 1: return day("m", at);
      case 2: return day("t", at);
      case 3: return lifetime("u");
      default: return rolling("c", at, MODEL_BUCKET, MODEL_LOOKBACK);
    }
  }

  private static long modelAmount(int kind, SplittableRandom random) {
    switch (kind) {
      case 2: return random.nextInt(61);
      case 3: return random.nextInt(4);
      default: return random.nextInt(5);
    }
  }

  /**
   * Random consumes in every mode, with and without operation ids, settles, purges and a clock that now and
   * then lags, for three subjects at once, checked step by step against a plain model of the Javadoc. Times
   * never fall on a period boundary or an expiry, so nothing here depends on how a store rounds at the edges.
   * Each subject has ids of its own: the Javadoc does not say whether ids are scoped by subject.
   */
  @Test
  void randomOperationSequencesMatchAReferenceModel() {
    SplittableRandom random = new SplittableRandom(20_260_101L);
    String[] subjects = {"model-a", "model-b", "model-c"};
    ReferenceModel[] models = {new ReferenceModel(), new ReferenceModel(), new ReferenceModel()};
    long now = T0 + 17; // always 17 ms past a whole second: never on a boundary; expiries end in 5 ms
    for (int step = 0; step < subjects.length * modelOperations(); step++) {
      int jump = random.nextInt(100);
      now += jump < 70 ? random.nextInt(41) * 1000L : jump < 95 ? random.nextInt(21) * MINUTE
          : (1 + random.nextInt(10)) * HOUR;
      long at = random.nextInt(100) < 15 ? now - (1 + random.nextInt(90)) * MINUTE : now;
      int which = random.nextInt(subjects.length);
      String subject = subjects[which];
      ReferenceModel model = models[which];
      String id = "op-" + which + "-" + random.nextInt(40);
      int op = random.nextInt(100);
      String what;
      if (op < 76) {
        Mode mode = op < 35 ? Mode.ENFORCE : op < 45 ? Mode.CHECK : op < 53 ? Mode.FORCE : op < 61 ? Mode.REFUND
            : Mode.RESERVE;
        List<Integer> kinds = new ArrayList<>(List.of(0, 1, 2, 3, MODEL_ROLLING));
        // The Javadoc does not say where late usage or refunds of an older rolling bucket go.
        if (at != now && (mode == Mode.FORCE || mode == Mode.REFUND)) {
          kinds.remove(Integer.valueOf(MODEL_ROLLING));
        }
        Collections.shuffle(kinds, new Random(random.nextLong()));
        List<Charge> charges = new ArrayList<>();
        for (int kind : kinds.subList(0, 1 + random.nextInt(kinds.size()))) {
          charges.add(charge(modelSlot(kind, at), MODEL_LIMITS[kind], modelAmount(kind, random)));
        }
        String operationId = mode == Mode.RESERVE || random.nextInt(100) < 40 ? id : null;
        long expiresAt = at + (1 + random.nextInt(240)) * MINUTE - 12;
        ConsumeRequest request = new ConsumeRequest(subject, charges, mode, operationId, expiresAt, at);
        what = "step " + step + ": " + request;
        long[] used = new long[charges.size()];
        boolean[] fits = new boolean[charges.size()];
        Status expected = model.consume(request, used, fits);
        ConsumeResult actual = counter.consume(request);
        assertThat(actual.status()).as("status at %s", what).isEqualTo(expected);
        assertThat(actual.size()).as("size at %s", what).isEqualTo(charges.size());
        for (int i = 0; i < charges.size(); i++) {
          assertThat(actual.used(i)).as("used(%s) at %s", i, what).isEqualTo(used[i]);
          if (expected != Status.DUPLICATE && expected != Status.MISMATCH && mode != Mode.REFUND) {
            assertThat(actual.fits(i)).as("fits(%s) at %s", i, what).isEqualTo(fits[i]);
          }
        }
      } else if (op < 90) {
        if (!model.reservations.isEmpty() && random.nextInt(100) < 70) {
          List<String> known = new ArrayList<>(model.reservations.keySet());
          Collections.sort(known);
          id = known.get(random.nextInt(known.size()));
        }
        ReferenceModel.Reservation live = model.reservations.get(id);
        if (live != null && !live.settled && live.expiresAt < now) {
          continue; // expired but not yet refunded: the contract leaves this to the store
        }
        int size = live != null ? live.charges.size() : 1 + random.nextInt(3);
        boolean wrongSize = live != null && !live.settled && random.nextInt(20) == 0;
        long[] finals = new long[wrongSize ? size + 1 : size];
        for (int i = 0; i < finals.length && random.nextInt(10) > 0; i++) {
          long estimate = live != null && i < size ? live.charges.get(i).amount() : 5;
          finals[i] = random.nextInt((int) (2 * estimate + 2));
        }
        what = "step " + step + ": settle " + id + " with " + Arrays.toString(finals) + " at " + now;
        SettleRequest request = new SettleRequest(subject, id, finals, now);
        if (wrongSize) {
          assertThatThrownBy(() -> counter.settle(request)).as(what)
              .isInstanceOf(IllegalArgumentException.class);
        } else if (live == null && model.forgottenSettled.contains(id)) {
          assertThat(counter.settle(request)).as(what)
              .isIn(SettleResult.NOT_FOUND, SettleResult.ALREADY_SETTLED, SettleResult.CANCELLED);
        } else {
          assertThat(counter.settle(request)).as(what).isEqualTo(model.settle(id, finals));
        }
      } else if (op < 93) {
        int batch = 1 + random.nextInt(5);
        what = "step " + step + ": purge(" + now + ", " + batch + ") until done";
        for (ReferenceModel each : models) {
          each.purge(now);
        }
        int handled;
        int calls = 0;
        do {
          handled = counter.purge(now, batch);
          assertThat(handled).as(what).isBetween(0, batch);
          assertThat(++calls).as(what).isLessThan(10_000);
        } while (handled == batch);
      } else {
        what = "step " + step + ": snapshot at " + now;
      }
      for (int k = 0; k < subjects.length; k++) {
        if (k == which || op >= 90 && op < 93) {
          assertMatchesModel(subjects[k], models[k], now, what);
        }
      }
    }
  }

  private void assertMatchesModel(String subject, ReferenceModel model, long now, String what) {
    List<SlotUsage> snapshot = new ArrayList<>();
    for (SlotUsage usage : counter.snapshot(subject, now)) {
      boolean rolling = usage.key().equals(modelSlot(MODEL_ROLLING, now).key());
      snapshot.add(rolling ? new SlotUsage(usage.key(), usage.start(), -1) : usage);
    }
    assertThat(snapshot).as("snapshot of %s after %s", subject, what)
        .containsExactlyInAnyOrderElementsOf(model.snapshot(now));
    Slot rolling = modelSlot(MODEL_ROLLING, now);
    assertThat(used(subject, rolling, now)).as("rolling usage of %s after %s", subject, what)
        .isEqualTo(model.current(rolling));
  }
}
