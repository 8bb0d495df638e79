/**
 * JPA entity mappings of the plan tables, for hosts that administer plans through JPA:
 * {@link dev.limits.plans.jdbc.jpa.PlanEntity} (with its settings) and
 * {@link dev.limits.plans.jdbc.jpa.MessageTemplateEntity}. They match the shipped DDL exactly, so a
 * provider's schema validation passes. Needs {@code jakarta.persistence-api}, an optional dependency.
 */
@NullMarked
package dev.limits.plans.jdbc.jpa;

import org.jspecify.annotations.NullMarked;
