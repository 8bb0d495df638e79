-- The floor of a batch of 4: the 6 rows of each of 4 distinct subjects, one UPDATE, no checks
\set s0 0 + random(0, 2499)
\set s1 2500 + random(0, 2499)
\set s2 5000 + random(0, 2499)
\set s3 7500 + random(0, 2499)
UPDATE limits_counter SET used = used + 1 WHERE subject IN ('user-' || :s0,'user-' || :s1,'user-' || :s2,'user-' || :s3);
