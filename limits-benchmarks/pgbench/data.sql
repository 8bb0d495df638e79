-- The harness's tables (see run.sh): limits' counter rows for 10,000 subjects of a 6-window plan, the
-- floors' tables, and one row per subject and metric with the windows in arrays (row_checks.sql).
INSERT INTO limits_counter (subject, counter_key, bucket_ms, lookback, period_start, period_end, used, expires_at)
SELECT 'user-' || s, 'messages@' || w.id, w.ms, 0, 0, w.ms, 0, w.ms
FROM generate_series(0, 9999) s, (VALUES ('PT1H', 3600000::bigint), ('PT3H', 10800000), ('PT12H', 43200000),
  ('P1D', 86400000), ('P1W', 604800000), ('P1M', 2678400000)) w(id, ms);
CREATE TABLE floor_counter (id INT PRIMARY KEY, used BIGINT NOT NULL);
INSERT INTO floor_counter SELECT s, 0 FROM generate_series(0, 9999) s;
CREATE TABLE probe_row (subject VARCHAR(191) NOT NULL, metric VARCHAR(200) NOT NULL, starts BIGINT[] NOT NULL,
  used BIGINT[] NOT NULL, PRIMARY KEY (subject, metric));
INSERT INTO probe_row SELECT 'user-' || s, 'messages', '{0,0,0,0,0,0}', '{0,0,0,0,0,0}' FROM generate_series(0, 9999) s;
VACUUM ANALYZE;
