package dev.limits.jdbc;

import java.util.Locale;

/**
 * The SQL dialects {@link JdbcUsageCounter} speaks. Usually detected from the connection's
 * {@link java.sql.DatabaseMetaData#getDatabaseProductName() product name}; set it on the builder only when
 * detection picks the wrong one (for example behind a proxy driver).
 *
 * @see JdbcUsageCounter.Builder#dialect(JdbcDialect)
 */
public enum JdbcDialect {

  /**
   * PostgreSQL 12 or later. A consume is one {@code SELECT} of the PL/pgSQL function that
   * {@code postgresql.sql} creates.
   */
  POSTGRESQL("postgresql.sql"),

  /**
   * H2 2.x. A consume is one {@code CALL} of a Java function that {@code h2.sql} registers and that runs
   * inside the H2 engine, so the limits-jdbc jar must be on the engine's classpath (always so embedded).
   */
  H2("h2.sql"),

  /**
   * MariaDB 10.5+ and MySQL 8 with InnoDB. A consume is a short transaction of two to seven statements
   * (a lock-free read, inserts of missing cells, {@code SELECT ... FOR UPDATE} of the cells in key order,
   * the operation id, the updates, the commit). It runs at READ COMMITTED; configure the pool with that
   * isolation level, or the counter switches each borrowed connection to it. Creating new cells
   * concurrently can deadlock InnoDB; such a transaction is rolled back and retried.
   */
  MYSQL("mysql.sql");

  private final String schemaResource;

  JdbcDialect(String schemaResource) {
    this.schemaResource = schemaResource;
  }

  /**
   * The class-path resource with this dialect's DDL, relative to this package, for example
   * {@code dev/limits/jdbc/postgresql.sql}. Its {@code ${prefix}} placeholders stand for the table prefix.
   *
   * @return the resource path of the DDL
   */
  public String schemaResource() {
    return "dev/limits/jdbc/" + schemaResource;
  }

  /**
   * The dialect for a database product name as JDBC reports it.
   *
   * @param productName the name from {@link java.sql.DatabaseMetaData#getDatabaseProductName()}
   * @return the dialect
   * @throws IllegalArgumentException if the product is not supported
   */
  public static JdbcDialect fromProductName(String productName) {
    String name = productName.toLowerCase(Locale.ROOT);
    if (name.contains("postgres")) {
      return POSTGRESQL;
    }
    if (name.equals("h2")) {
      return H2;
    }
    if (name.contains("mariadb") || name.contains("mysql")) {
      return MYSQL;
    }
    throw new IllegalArgumentException("unsupported database product '" + productName
        + "'; supported are PostgreSQL, H2, MariaDB and MySQL");
  }
}
