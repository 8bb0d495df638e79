package dev.limits.plans;

import dev.limits.plans.internal.Names;
import dev.limits.spi.ConsumeRequest;
import java.util.Objects;

/**
 * An organisation whose members share its {@link OrganisationPlan}: the id its shared counters are kept
 * under, and its plan.
 *
 * @param id   the organisation's id; its counters are kept under the subject {@code org/<id>} (the id
 *             escaped, as a chat session's is), which {@link ConsumeRequest#requireSubject} must accept
 * @param plan what its members share
 */
public record Organisation(String id, OrganisationPlan plan) {

  /**
   * Creates an organisation.
   *
   * @param id   the organisation's id
   * @param plan what its members share
   * @throws NullPointerException     if an argument is null
   * @throws IllegalArgumentException if the id is malformed or too long for a subject (see
   *                                  {@link ConsumeRequest#requireSubject})
   */
  public Organisation {
    ConsumeRequest.requireSubject(Objects.requireNonNull(id, "id"));
    ConsumeRequest.requireSubject(Names.organisationSubject(id));
    Objects.requireNonNull(plan, "plan");
  }
}
