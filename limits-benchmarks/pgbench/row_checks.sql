\set s random(0, 9999)
UPDATE probe_row t SET (starts, used) = (
  SELECT array_agg(GREATEST(x.os, x.s)), array_agg(CASE WHEN x.os >= x.s THEN x.ou ELSE 0 END + x.a)
  FROM unnest(t.starts, t.used, ARRAY[0,0,0,0,0,0]::bigint[], ARRAY[1,1,1,1,1,1]::bigint[]) AS x(os, ou, s, a))
WHERE t.subject = 'user-' || :s AND t.metric = 'messages' AND (
  SELECT bool_and(CASE WHEN x.os >= x.s THEN x.ou ELSE 0 END <= x.room)
  FROM unnest(t.starts, t.used, ARRAY[0,0,0,0,0,0]::bigint[], ARRAY[999999999,999999999,999999999,999999999,999999999,999999999]::bigint[]) AS x(os, ou, s, room))
RETURNING t.used;
