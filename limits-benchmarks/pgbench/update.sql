\set s random(0, 9999)
UPDATE floor_counter SET used = used + 1 WHERE id = :s;
