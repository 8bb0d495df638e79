\set s random(0, 9999)
UPDATE limits_counter SET used = used + 1 WHERE subject = 'user-' || :s;
