-- The floor of a batch of 8: the 6 rows of each of 8 distinct subjects, one UPDATE, no checks
\set s0 0 + random(0, 1249)
\set s1 1250 + random(0, 1249)
\set s2 2500 + random(0, 1249)
\set s3 3750 + random(0, 1249)
\set s4 5000 + random(0, 1249)
\set s5 6250 + random(0, 1249)
\set s6 7500 + random(0, 1249)
\set s7 8750 + random(0, 1249)
UPDATE limits_counter SET used = used + 1 WHERE subject IN ('user-' || :s0,'user-' || :s1,'user-' || :s2,'user-' || :s3,'user-' || :s4,'user-' || :s5,'user-' || :s6,'user-' || :s7);
