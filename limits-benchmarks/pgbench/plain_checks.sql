\set s random(0, 9999)
WITH upd AS (UPDATE limits_counter t SET used = CASE WHEN t.period_start >= c.s THEN t.used ELSE 0 END + c.total,
  period_start = CASE WHEN c.s > t.period_start THEN c.s ELSE t.period_start END
  FROM unnest(ARRAY['messages@PT1H','messages@PT3H','messages@PT12H','messages@P1D','messages@P1W','messages@P1M']::varchar[], ARRAY[0,0,0,0,0,0]::bigint[], ARRAY[1,1,1,1,1,1]::bigint[], ARRAY[999999999,999999999,999999999,999999999,999999999,999999999]::bigint[]) AS c(key, s, total, room)
  WHERE t.subject = 'user-' || :s AND t.counter_key = c.key AND t.lookback = 0 AND t.earlier_starts IS NULL AND CASE WHEN t.period_start >= c.s THEN t.used ELSE 0 END <= c.room
  RETURNING t.used)
SELECT CASE WHEN count(*) < 6 THEN probe_raise(1) ELSE 0 END, array_agg(used) FROM upd;
