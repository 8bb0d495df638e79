-- row_checks.sql for a batch: the one row of each of 4 distinct subjects (drawn from 4 disjoint ranges), checked
-- and written in one UPDATE (a denied row is left out of RETURNING; no all-or-nothing across the batch)
\set s0 0 + random(0, 2499)
\set s1 2500 + random(0, 2499)
\set s2 5000 + random(0, 2499)
\set s3 7500 + random(0, 2499)
UPDATE probe_row t SET (starts, used) = (
  SELECT array_agg(GREATEST(x.os, x.s)), array_agg(CASE WHEN x.os >= x.s THEN x.ou ELSE 0 END + x.a)
  FROM unnest(t.starts, t.used, ARRAY[0,0,0,0,0,0]::bigint[], ARRAY[1,1,1,1,1,1]::bigint[]) AS x(os, ou, s, a))
WHERE t.subject IN ('user-' || :s0, 'user-' || :s1, 'user-' || :s2, 'user-' || :s3) AND t.metric = 'messages' AND (
  SELECT bool_and(CASE WHEN x.os >= x.s THEN x.ou ELSE 0 END <= x.room)
  FROM unnest(t.starts, t.used, ARRAY[0,0,0,0,0,0]::bigint[], ARRAY[999999999,999999999,999999999,999999999,999999999,999999999]::bigint[]) AS x(os, ou, s, room))
RETURNING t.used;
