-- limits-jdbc schema for H2 2.x. Replace ${prefix} with your table prefix (default: limits_).
-- Flyway/Liquibase users copy this file into a migration; JdbcUsageCounter.Builder#createSchemaIfMissing
-- runs it at startup instead. The last statement registers a Java function from limits-jdbc's jar, so the
-- jar must be on the classpath of the H2 engine (always so for embedded H2).

-- One row per (subject, counter key): the newest bucket and, for rolling windows, the earlier buckets
-- still counted (comma-separated, oldest first). period_start is NULL until the cell is first charged.
CREATE TABLE IF NOT EXISTS ${prefix}counter (
  subject        VARCHAR(191) NOT NULL,
  counter_key    VARCHAR(200) NOT NULL,
  bucket_ms      BIGINT NOT NULL,
  lookback       INT NOT NULL,
  period_start   BIGINT,
  period_end     BIGINT NOT NULL,
  used           BIGINT NOT NULL,
  earlier_starts VARCHAR(1000000),
  earlier_used   VARCHAR(1000000),
  expires_at     BIGINT NOT NULL,
  PRIMARY KEY (subject, counter_key)
);
CREATE INDEX IF NOT EXISTS ${prefix}counter_expires ON ${prefix}counter (expires_at);

-- Operation ids remembered for idempotency, each under the subject that owns it (a request's first);
-- state 0 = applied, 1 = reservation held, 2 = reservation committed, 3 = reservation cancelled.
-- fingerprint is ConsumeRequest#fingerprint() of the request that used the id: a later request with the id
-- and another fingerprint reused it for something else. A table created before this column existed needs
-- it: ALTER TABLE ${prefix}operation ADD COLUMN fingerprint BIGINT NOT NULL DEFAULT 0.
CREATE TABLE IF NOT EXISTS ${prefix}operation (
  subject      VARCHAR(191) NOT NULL,
  operation_id VARCHAR(128) NOT NULL,
  state        SMALLINT NOT NULL,
  fingerprint  BIGINT NOT NULL,
  expires_at   BIGINT NOT NULL,
  PRIMARY KEY (subject, operation_id)
);
CREATE INDEX IF NOT EXISTS ${prefix}operation_expires ON ${prefix}operation (expires_at);

-- The charges of a held reservation, each with the subject and the bucket it was counted in. subject is the
-- one that owns the operation id; charged_subject the one whose cell the charge went to (a request may
-- charge a user's and an organisation's cells at once), NULL meaning the owner. A table created before this
-- column existed needs it (its rows keep meaning the owner): ALTER TABLE ${prefix}hold ADD COLUMN
-- charged_subject VARCHAR(191).
CREATE TABLE IF NOT EXISTS ${prefix}hold (
  subject         VARCHAR(191) NOT NULL,
  operation_id    VARCHAR(128) NOT NULL,
  charge_index    INT NOT NULL,
  counter_key     VARCHAR(200) NOT NULL,
  amount          BIGINT NOT NULL,
  charged_start   BIGINT NOT NULL,
  charged_subject VARCHAR(191),
  PRIMARY KEY (subject, operation_id, charge_index)
);

-- Registers the consume function, which runs inside the H2 engine as one statement.
CREATE ALIAS IF NOT EXISTS ${prefix}counter_consume FOR 'dev.limits.jdbc.internal.H2Consume.consume';
