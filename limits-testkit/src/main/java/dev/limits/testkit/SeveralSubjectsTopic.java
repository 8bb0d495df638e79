package dev.limits.testkit;

import static dev.limits.testkit.UsageCounterContract.DAY;
import static dev.limits.testkit.UsageCounterContract.HOUR;
import static dev.limits.testkit.UsageCounterContract.MINUTE;
import static dev.limits.testkit.UsageCounterContract.OTHER_SUBJECT;
import static dev.limits.testkit.UsageCounterContract.SUBJECT;
import static dev.limits.testkit.UsageCounterContract.T0;
import static dev.limits.testkit.UsageCounterContract.day;
import static dev.limits.testkit.UsageCounterContract.hour;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import dev.limits.spi.Charge;
import dev.limits.spi.ConsumeRequest;
import dev.limits.spi.ConsumeRequest.Mode;
import dev.limits.spi.ConsumeResult;
import dev.limits.spi.ConsumeResult.Status;
import dev.limits.spi.SettleRequest;
import dev.limits.spi.SettleResult;
import dev.limits.spi.Slot;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * Several subjects in one request (nested budgets): a user's plan, their team's budget and their
 * organisation's shared pool, checked and counted all or nothing, the strictest deciding; idempotency and
 * reservations owned by the first subject; each subject's cells apart; and many threads sharing an
 * organisation, never over any limit and never deadlocked.
 */
abstract class SeveralSubjectsTopic extends ContractTopic {

  private static final String USER = SUBJECT;
  private static final String OTHER_USER = OTHER_SUBJECT;
  private static final String TEAM = "team-1";
  private static final String ORG = "org-1";
  private static final String OTHER_ORG = "org-2";

  private static final Slot TOKENS = day("tokens", T0);
  private static final Slot REQUESTS = hour("requests", T0);
  private static final long EXPIRY = T0 + 10 * MINUTE;

  SeveralSubjectsTopic(UsageCounterContract contract) {
    super(contract);
  }

  private static Charge charge(int subject, Slot slot, long limit, long amount) {
    return new Charge(subject, slot, limit, amount);
  }

  private static ConsumeRequest request(List<String> subjects, Mode mode, @Nullable String operationId,
      long expiresAt, long now, Charge... charges) {
    return new ConsumeRequest(subjects, List.of(charges), mode, operationId, expiresAt, now);
  }

  private ConsumeResult consume(List<String> subjects, Mode mode, long now, Charge... charges) {
    return counter.consume(request(subjects, mode, null, 0, now, charges));
  }

  private ConsumeResult consume(List<String> subjects, Mode mode, String operationId, long now,
      Charge... charges) {
    return counter.consume(request(subjects, mode, operationId, now + DAY, now, charges));
  }

  /** Reserves a request and 600 tokens of the user, and 600 tokens of the organisation's pool. */
  private ConsumeResult reserveForUserAndOrg(String operationId) {
    return reserveForUserAndOrg(operationId, 600);
  }

  /** Reserves a request and {@code tokens} of the user, and {@code tokens} of the organisation's pool. */
  private ConsumeResult reserveForUserAndOrg(String operationId, long tokens) {
    return counter.consume(request(List.of(USER, ORG), Mode.RESERVE, operationId, EXPIRY, T0,
        charge(0, REQUESTS, 10, 1), charge(0, TOKENS, 1000, tokens), charge(1, TOKENS, 5000, tokens)));
  }

  @Test
  void nothingIsCountedAnywhereWhenTheOrganisationsPoolHasNoRoom() {
    consume(List.of(ORG), Mode.ENFORCE, T0, charge(0, TOKENS, 500, 450));

    ConsumeResult result = consume(List.of(USER, ORG), Mode.ENFORCE, T0,
        charge(0, REQUESTS, 10, 1), charge(0, TOKENS, 1000, 100), charge(1, TOKENS, 500, 100));

    assertResult(result, Status.DENIED, longs(0, 0, 450), bools(true, true, false));
    assertThat(used(USER, REQUESTS, T0)).isZero();
    assertThat(used(USER, TOKENS, T0)).isZero();
    assertThat(used(ORG, TOKENS, T0)).isEqualTo(450);

    assertResult(consume(List.of(USER, ORG), Mode.ENFORCE, T0,
            charge(0, REQUESTS, 10, 1), charge(0, TOKENS, 1000, 50), charge(1, TOKENS, 500, 50)),
        Status.APPLIED, longs(1, 50, 500), bools(true, true, true));
  }

  @Test
  void theStrictestQuotaDecidesWhicheverSubjectItBelongsTo() {
    List<String> first = List.of(USER, TEAM, ORG);
    List<String> second = List.of(OTHER_USER, TEAM, ORG);
    Charge[] sixty = {charge(0, TOKENS, 80, 60), charge(1, TOKENS, 100, 60), charge(2, TOKENS, 1000, 60)};
    Charge[] forty = {charge(0, TOKENS, 80, 40), charge(1, TOKENS, 100, 40), charge(2, TOKENS, 1000, 40)};

    assertResult(consume(first, Mode.ENFORCE, T0, sixty), Status.APPLIED, longs(60, 60, 60),
        bools(true, true, true));
    // The other user has room, the team has not.
    assertResult(consume(second, Mode.ENFORCE, T0, sixty), Status.DENIED, longs(0, 60, 60),
        bools(true, false, true));
    assertResult(consume(second, Mode.ENFORCE, T0, forty), Status.APPLIED, longs(40, 100, 100),
        bools(true, true, true));
    // Now the user's own quota and the team's deny together; the organisation still has room.
    assertResult(consume(first, Mode.ENFORCE, T0, forty), Status.DENIED, longs(60, 100, 100),
        bools(false, false, true));
    // A CHECK reports the same per charge and counts nothing.
    assertResult(consume(first, Mode.CHECK, T0, forty), Status.DENIED, longs(60, 100, 100),
        bools(false, false, true));
    assertThat(used(ORG, TOKENS, T0)).isEqualTo(100);
  }

  @Test
  void eachChargeReportsTheUsageOfItsOwnSubjectsCell() {
    consume(List.of(ORG), Mode.ENFORCE, T0, charge(0, TOKENS, 10_000, 1_000));
    consume(List.of(USER), Mode.ENFORCE, T0, charge(0, TOKENS, 10_000, 7));

    ConsumeResult result = consume(List.of(USER, TEAM, ORG), Mode.ENFORCE, T0,
        charge(2, TOKENS, 10_000, 5), charge(0, REQUESTS, 10, 1), charge(1, TOKENS, 10_000, 5),
        charge(0, TOKENS, 10_000, 5));

    assertResult(result, Status.APPLIED, longs(1_005, 1, 5, 12), bools(true, true, true, true));
  }

  @Test
  void oneSubjectsCellsNeverLeakIntoAnothersOfTheSameKey() {
    consume(List.of(USER, ORG), Mode.ENFORCE, T0, charge(0, TOKENS, 1000, 30), charge(1, TOKENS, 1000, 70));

    assertThat(used(USER, TOKENS, T0)).isEqualTo(30);
    assertThat(used(ORG, TOKENS, T0)).isEqualTo(70);
    assertThat(used(OTHER_USER, TOKENS, T0)).isZero();
    assertResult(consume(List.of(ORG, USER), Mode.ENFORCE, T0, charge(0, TOKENS, 100, 30),
        charge(1, TOKENS, 100, 70)), Status.APPLIED, longs(100, 100), bools(true, true));
    assertResult(consume(List.of(ORG), Mode.ENFORCE, T0, charge(0, TOKENS, 100, 1)), Status.DENIED,
        longs(100), bools(false));
    assertResult(consume(List.of(USER), Mode.ENFORCE, T0, charge(0, TOKENS, 100, 1)), Status.DENIED,
        longs(100), bools(false));
  }

  @Test
  void aRefundGivesBackOnEverySubject() {
    consume(List.of(USER, ORG), Mode.ENFORCE, T0, charge(0, TOKENS, 1000, 300), charge(1, TOKENS, 1000, 300));

    assertResult(consume(List.of(USER, ORG), Mode.REFUND, T0 + MINUTE, charge(0, TOKENS, 1000, 100),
        charge(1, TOKENS, 1000, 200)), Status.APPLIED, longs(200, 100), bools(true, true));
  }

  @Test
  void theOperationIdBelongsToTheFirstSubject() {
    Charge[] charges = {charge(0, TOKENS, 1000, 100), charge(1, TOKENS, 1000, 100)};
    assertThat(consume(List.of(USER, ORG), Mode.ENFORCE, "op-1", T0, charges).status())
        .isEqualTo(Status.APPLIED);

    assertResult(consume(List.of(USER, ORG), Mode.ENFORCE, "op-1", T0 + MINUTE, charges), Status.DUPLICATE,
        longs(100, 100), bools(true, true));
    // The id reused with another organisation: a different request.
    assertThat(consume(List.of(USER, OTHER_ORG), Mode.ENFORCE, "op-1", T0 + MINUTE, charges).status())
        .isEqualTo(Status.MISMATCH);
    // The id reused without the organisation: a different request too.
    assertThat(consume(List.of(USER), Mode.ENFORCE, "op-1", T0 + MINUTE, charges[0]).status())
        .isEqualTo(Status.MISMATCH);
    assertThat(used(USER, TOKENS, T0)).isEqualTo(100);
    assertThat(used(ORG, TOKENS, T0)).isEqualTo(100);
    assertThat(used(OTHER_ORG, TOKENS, T0)).isZero();

    // The same id sent by another first subject is theirs: counted.
    assertThat(consume(List.of(OTHER_USER, ORG), Mode.ENFORCE, "op-1", T0, charges).status())
        .isEqualTo(Status.APPLIED);
    assertThat(consume(List.of(ORG, USER), Mode.ENFORCE, "op-1", T0, charges).status())
        .isEqualTo(Status.APPLIED);
    assertThat(used(ORG, TOKENS, T0)).isEqualTo(300);
    assertThat(used(USER, TOKENS, T0)).isEqualTo(200);
  }

  @Test
  void aReservationSettledBelowItsEstimateGivesBackOnEverySubject() {
    assertResult(reserveForUserAndOrg("r-1"), Status.APPLIED, longs(1, 600, 600), bools(true, true, true));

    assertThat(counter.settle(new SettleRequest(USER, "r-1", new long[] {1, 250, 250}, T0 + MINUTE)))
        .isEqualTo(SettleResult.SETTLED);
    assertThat(counter.settle(new SettleRequest(USER, "r-1", new long[] {1, 100, 100}, T0 + MINUTE)))
        .isEqualTo(SettleResult.ALREADY_SETTLED);

    assertThat(used(USER, REQUESTS, T0 + MINUTE)).isEqualTo(1);
    assertThat(used(USER, TOKENS, T0 + MINUTE)).isEqualTo(250);
    assertThat(used(ORG, TOKENS, T0 + MINUTE)).isEqualTo(250);
    // Only the owner settles it.
    assertThat(counter.settle(new SettleRequest(ORG, "r-1", new long[] {0, 0, 0}, T0 + MINUTE)))
        .isEqualTo(SettleResult.NOT_FOUND);
    assertThat(used(ORG, TOKENS, T0 + MINUTE)).isEqualTo(250);
  }

  @Test
  void aReservationSettledAboveItsEstimateCountsOnEverySubject() {
    reserveForUserAndOrg("r-1");

    assertThat(counter.settle(new SettleRequest(USER, "r-1", new long[] {1, 1200, 900}, T0 + MINUTE)))
        .isEqualTo(SettleResult.SETTLED);

    assertThat(used(USER, TOKENS, T0 + MINUTE)).isEqualTo(1200);
    assertThat(used(ORG, TOKENS, T0 + MINUTE)).isEqualTo(900);
  }

  @Test
  void aCancelledReservationGivesBackEverySubjectsEstimateOnce() {
    reserveForUserAndOrg("r-1");
    consume(List.of(OTHER_USER, ORG), Mode.ENFORCE, T0, charge(0, TOKENS, 1000, 100),
        charge(1, TOKENS, 5000, 100));

    assertThat(counter.settle(new SettleRequest(USER, "r-1", new long[3], T0 + MINUTE)))
        .isEqualTo(SettleResult.SETTLED);
    assertThat(counter.settle(new SettleRequest(USER, "r-1", new long[3], T0 + MINUTE)))
        .isEqualTo(SettleResult.CANCELLED);

    assertThat(used(USER, REQUESTS, T0 + MINUTE)).isZero();
    assertThat(used(USER, TOKENS, T0 + MINUTE)).isZero();
    assertThat(used(ORG, TOKENS, T0 + MINUTE)).isEqualTo(100);
    assertThat(used(OTHER_USER, TOKENS, T0 + MINUTE)).isEqualTo(100);
  }

  @Test
  void purgeRefundsAnExpiredReservationOnEverySubjectExactlyOnce() {
    assertThat(reserveForUserAndOrg("r-1").status()).isEqualTo(Status.APPLIED);
    assertThat(reserveForUserAndOrg("r-2", 400).status()).isEqualTo(Status.APPLIED);
    assertThat(counter.settle(new SettleRequest(USER, "r-2", new long[] {1, 50, 40}, T0 + MINUTE)))
        .isEqualTo(SettleResult.SETTLED);
    long afterExpiry = EXPIRY + 1;

    assertThat(counter.purge(afterExpiry, 100)).isPositive().isLessThan(100);
    assertThat(used(USER, REQUESTS, afterExpiry)).isEqualTo(1);
    assertThat(used(USER, TOKENS, afterExpiry)).isEqualTo(50);
    assertThat(used(ORG, TOKENS, afterExpiry)).isEqualTo(40);

    assertThat(counter.purge(afterExpiry, 100)).isLessThan(100);
    assertThat(counter.purge(afterExpiry + MINUTE, 100)).isLessThan(100);
    assertThat(used(USER, TOKENS, afterExpiry + MINUTE)).isEqualTo(50);
    assertThat(used(ORG, TOKENS, afterExpiry + MINUTE)).isEqualTo(40);
    assertThat(counter.settle(new SettleRequest(USER, "r-1", new long[] {1, 600, 600}, afterExpiry)))
        .isEqualTo(SettleResult.NOT_FOUND);
    assertThat(used(ORG, TOKENS, afterExpiry + MINUTE)).isEqualTo(40);
  }

  @Test
  void theSnapshotOfEachSubjectListsOnlyItsOwnCells() {
    consume(List.of(USER, TEAM, ORG), Mode.ENFORCE, T0, charge(0, REQUESTS, 10, 1), charge(0, TOKENS, 1000, 10),
        charge(1, day("cost", T0), 1000, 20), charge(2, TOKENS, 1000, 30));

    assertThat(usedByKey(USER)).containsOnly(entry(REQUESTS.key(), 1L), entry(TOKENS.key(), 10L));
    assertThat(usedByKey(TEAM)).containsOnly(entry("cost@day", 20L));
    assertThat(usedByKey(ORG)).containsOnly(entry(TOKENS.key(), 30L));
  }

  private Map<String, Long> usedByKey(String subject) {
    Map<String, Long> used = new HashMap<>();
    snapshot(subject, T0).forEach((key, usage) -> used.put(key, usage.used()));
    return used;
  }

  @Test
  void aRequestOverSeveralSubjectsRejectsBadInputWhenItIsMade() {
    assertThatThrownBy(() -> request(List.of(USER, ORG, USER), Mode.ENFORCE, null, 0, T0,
        charge(0, TOKENS, 10, 1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'" + USER + "' twice");
    assertThatThrownBy(() -> request(List.of(USER, ORG), Mode.ENFORCE, null, 0, T0,
        charge(0, TOKENS, 10, 1), charge(2, TOKENS, 10, 1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("subject index 2");
    assertThatThrownBy(() -> charge(-1, TOKENS, 10, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
    List<String> tooMany = new ArrayList<>();
    for (int i = 0; i <= ConsumeRequest.MAX_SUBJECTS; i++) {
      tooMany.add("org-" + i);
    }
    assertThatThrownBy(() -> request(tooMany, Mode.ENFORCE, null, 0, T0, charge(0, TOKENS, 10, 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(String.valueOf(ConsumeRequest.MAX_SUBJECTS + 1));
    assertThatThrownBy(() -> request(List.of(USER, ORG), Mode.ENFORCE, null, 0, T0,
        charge(1, TOKENS, 10, 1), charge(0, TOKENS, 10, 1), charge(1, TOKENS, 10, 2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + TOKENS.key() + "'").hasMessageContaining("'" + ORG + "'");
    assertThatThrownBy(() -> request(List.of(), Mode.ENFORCE, null, 0, T0, charge(0, TOKENS, 10, 1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("subject");
    assertThatThrownBy(() -> request(List.of(USER, " org"), Mode.ENFORCE, null, 0, T0, charge(0, TOKENS, 10, 1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("' org'");

    assertThat(used(USER, TOKENS, T0)).isZero();
    assertThat(used(ORG, TOKENS, T0)).isZero();
    // The same key for two subjects is two cells.
    assertThat(request(List.of(USER, ORG), Mode.ENFORCE, null, 0, T0, charge(0, TOKENS, 10, 1),
        charge(1, TOKENS, 10, 1)).subjectOf(1)).isEqualTo(ORG);
  }

  /**
   * Users of two teams of one organisation, each request charging the user, their team and the
   * organisation, or two users of a team and the organisation (a shared conversation); the subjects listed
   * in random order, so that a store that locks them in the order given deadlocks.
   */
  @Test
  void concurrentRequestsSharingAnOrganisationAreExactAndNeverOverAnyLimit() throws Exception {
    int ops = operationsPerThread();
    long attempts = (long) concurrencyThreads() * ops;
    // About 50 tokens a request: the organisation's pool takes a quarter of what is asked, each team 60% of
    // that, each user 60% of a team's: every limit is reached by some requests.
    long orgLimit = Math.max(200, attempts * 50 / 4);
    long teamLimit = orgLimit * 6 / 10;
    long userLimit = teamLimit * 6 / 10;
    String[] users = {"user-a1", "user-a2", "user-b1", "user-b2"};
    String[] teams = {"team-a", "team-b"};
    Slot tokens = day("tokens", T0 + HOUR);
    ConcurrentHashMap<String, AtomicLong> applied = new ConcurrentHashMap<>();
    AtomicLong denied = new AtomicLong();

    runConcurrently((thread, barrier) -> {
      SplittableRandom random = new SplittableRandom(7_000 + thread);
      for (int i = 0; i < ops; i++) {
        int u = random.nextInt(users.length);
        long amount = 1 + random.nextInt(100);
        List<String> named = new ArrayList<>();
        List<Long> limits = new ArrayList<>();
        named.add(users[u]);
        limits.add(userLimit);
        if (random.nextInt(4) == 0) {
          named.add(users[u ^ 1]); // the other user of the team
          limits.add(userLimit);
        } else {
          named.add(teams[u / 2]);
          limits.add(teamLimit);
        }
        named.add(ORG);
        limits.add(orgLimit);
        // A random order of the subjects, and of the charges.
        List<String> subjects = new ArrayList<>(named);
        Collections.shuffle(subjects, new Random(random.nextLong()));
        List<Charge> charges = new ArrayList<>();
        for (int k = 0; k < named.size(); k++) {
          charges.add(charge(subjects.indexOf(named.get(k)), tokens, limits.get(k), amount));
        }
        Collections.shuffle(charges, new Random(random.nextLong()));
        ConsumeResult result = counter.consume(
            new ConsumeRequest(subjects, charges, Mode.ENFORCE, null, 0, T0 + HOUR + i));

        boolean anyDenied = false;
        for (int k = 0; k < charges.size(); k++) {
          assertThat(result.used(k)).as("charge %s of %s", k, result).isBetween(0L, charges.get(k).limit());
          anyDenied |= !result.fits(k);
        }
        if (result.status() == Status.APPLIED) {
          assertThat(anyDenied).as("a charge denied in %s", result).isFalse();
          for (String subject : subjects) {
            applied.computeIfAbsent(subject, s -> new AtomicLong()).addAndGet(amount);
          }
        } else {
          assertThat(result.status()).as("status of %s", result).isEqualTo(Status.DENIED);
          assertThat(anyDenied).as("a charge denied in %s", result).isTrue();
          denied.incrementAndGet();
        }
      }
    });

    assertThat(denied.get()).as("requests denied: the limits were reached").isPositive();
    long now = T0 + 2 * HOUR;
    for (String subject : List.of(users[0], users[1], users[2], users[3], teams[0], teams[1], ORG)) {
      long expected = applied.getOrDefault(subject, new AtomicLong()).get();
      long limit = subject.equals(ORG) ? orgLimit : subject.startsWith("team") ? teamLimit : userLimit;
      assertThat(used(subject, tokens, now)).as("tokens of %s", subject).isEqualTo(expected)
          .isLessThanOrEqualTo(limit);
    }
  }
}
