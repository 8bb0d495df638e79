/**
 * A {@link dev.limits.spi.UsageCounter} on PostgreSQL, H2, MariaDB and MySQL through plain JDBC:
 * {@link dev.limits.jdbc.JdbcUsageCounter} and its builder, and the {@link dev.limits.jdbc.JdbcDialect}s.
 */
@NullMarked
package dev.limits.jdbc;

import org.jspecify.annotations.NullMarked;
