package dev.limits.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.limits.spi.ConsumeRequest.Mode;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConsumeRequestTest {

  private static final Slot TOKENS = new Slot("tokens@day", 0, 86_400_000L, 0);
  private static final Slot REQUESTS = new Slot("requests@hour", 0, 3_600_000L, 0);

  private static ConsumeRequest request(List<String> subjects, Charge... charges) {
    return new ConsumeRequest(subjects, List.of(charges), Mode.ENFORCE, "op-1", 1, 0);
  }

  @Test
  void theFingerprintOfAOneSubjectRequestIsTheOneStoresKept() {
    ConsumeRequest request = new ConsumeRequest("user-1",
        List.of(new Charge(REQUESTS, 10, 1), new Charge(TOKENS, 1000, 250)), Mode.ENFORCE, "op-1", 1, 0);

    assertThat(request.fingerprint()).isEqualTo(PINNED);
    assertThat(request(List.of("user-1"), new Charge(0, TOKENS, 5, 250), new Charge(0, REQUESTS, 1, 1))
        .fingerprint()).isEqualTo(PINNED);
  }

  /** The fingerprint of the request above, as a store written before several subjects existed kept it. */
  private static final long PINNED = -3878387287738620370L;

  @Test
  void theFingerprintTellsAnotherOrganisationApart() {
    Charge user = new Charge(0, TOKENS, 1000, 250);
    Charge org = new Charge(1, TOKENS, 1000, 250);
    long withOrg = request(List.of("user-1", "org-1"), user, org).fingerprint();

    assertThat(request(List.of("user-1", "org-2"), user, org).fingerprint()).isNotEqualTo(withOrg);
    assertThat(request(List.of("user-1"), user).fingerprint()).isNotEqualTo(withOrg);
    assertThat(request(List.of("user-1", "org-1"), user, new Charge(1, TOKENS, 1000, 251)).fingerprint())
        .isNotEqualTo(withOrg);
    // The first subject owns the id and is left out; the others count by id, not by position.
    assertThat(request(List.of("user-2", "org-1"), user, org).fingerprint()).isEqualTo(withOrg);
    assertThat(request(List.of("user-1", "team-1", "org-1"), user, new Charge(2, TOKENS, 1000, 250))
        .fingerprint()).isEqualTo(withOrg);
  }

  @Test
  void aChargeNamesItsSubjectByIndex() {
    ConsumeRequest request = request(List.of("user-1", "team-1", "org-1"), new Charge(2, TOKENS, 10, 1),
        new Charge(TOKENS, 10, 1));

    assertThat(request.subject()).isEqualTo("user-1");
    assertThat(request.subjectOf(0)).isEqualTo("org-1");
    assertThat(request.subjectOf(1)).isEqualTo("user-1");
  }
}
