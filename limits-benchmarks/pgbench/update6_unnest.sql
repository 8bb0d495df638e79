\set s random(0, 9999)
UPDATE limits_counter t SET used = t.used + 1 FROM unnest(ARRAY['messages@PT1H','messages@PT3H','messages@PT12H','messages@P1D','messages@P1W','messages@P1M']::varchar[]) AS c(key) WHERE t.subject = 'user-' || :s AND t.counter_key = c.key;
