/**
 * Admin-editable plans and messages in database tables, read with plain JDBC: {@link
 * dev.limits.plans.jdbc.PlanStore} loads them, {@link dev.limits.plans.jdbc.RefreshingPlans} keeps the last
 * good plans and reloads them. The DDL ships as {@code dev/limits/plans/jdbc/{postgresql,h2,mysql}.sql}.
 */
@NullMarked
package dev.limits.plans.jdbc;

import org.jspecify.annotations.NullMarked;
