/**
 * Everything behind {@link dev.limits.jdbc.JdbcUsageCounter}: the SQL per dialect, the transaction
 * scripts, the cell arithmetic and the failure classification. Not part of the API; may change in any
 * release. {@link dev.limits.jdbc.internal.H2Consume} is public only because H2 calls it by name.
 */
@NullMarked
package dev.limits.jdbc.internal;

import org.jspecify.annotations.NullMarked;
