-- limits-jdbc schema for PostgreSQL 12 or later. Replace ${prefix} with your table prefix (default: limits_).
-- Flyway/Liquibase users copy this file into a migration; JdbcUsageCounter.Builder#createSchemaIfMissing
-- runs it at startup instead. The functions after the tables are what a consume calls: every consume, alone
-- or coalesced with others, is one ${prefix}counter_consume; the common one (ENFORCE, no operation id,
-- windows without lookback, rows already there) first tries ${prefix}counter_consume_fast, which locks,
-- checks and writes the rows exactly as ${prefix}counter_consume would, and leaves everything else (first
-- use of a cell, rolling windows, other modes, operation ids) to it.

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
  earlier_starts TEXT,
  earlier_used   TEXT,
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

-- Until when a row is kept, its expires_at (CellState.keptUntil, Slot.calendarCellKeptUntil): a rolling cell
-- or a placeholder until its last bucket stops counting; a calendar or lifetime cell for its own length
-- plus the longer of that length and a day after its period ended, so that purge never drops a cell that a
-- period of another zone could still overlap.
CREATE OR REPLACE FUNCTION ${prefix}counter_kept_until(p_start BIGINT, p_end BIGINT, p_lookback INT,
    p_ms BIGINT) RETURNS BIGINT LANGUAGE sql IMMUTABLE AS $$
  SELECT LEAST(9223372036854775807,
      CASE WHEN p_lookback = 0 AND p_start IS NOT NULL
           THEN 2 * p_end::numeric - p_start + GREATEST(p_end::numeric - p_start, 86400000)
           ELSE p_end + p_lookback::numeric * p_ms END)::bigint
$$;

-- The usage of a cell that counts against a slot starting at p_slot_start. A calendar or lifetime cell
-- (lookback 0) counts unless its period ended at or before the slot's start (a zone change never frees
-- usage; Slot.counts). A rolling cell counts its newest bucket and the earlier ones within the lookback of
-- the later of that bucket and the slot, summed without overflowing.
CREATE OR REPLACE FUNCTION ${prefix}counter_sum(p_ms BIGINT, p_lookback INT, p_start BIGINT, p_end BIGINT,
    p_used BIGINT, p_es TEXT, p_eu TEXT, p_slot_start BIGINT) RETURNS BIGINT LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  p_reference BIGINT;
  lo NUMERIC;
  total NUMERIC := 0;
  s BIGINT[];
  u BIGINT[];
  k INT;
BEGIN
  IF p_start IS NULL THEN
    RETURN 0;
  END IF;
  IF p_lookback = 0 THEN
    RETURN CASE WHEN p_end > p_slot_start THEN p_used ELSE 0 END;
  END IF;
  p_reference := GREATEST(p_slot_start, p_start);
  lo := p_reference - p_lookback::numeric * p_ms;
  IF p_start >= lo AND p_start <= p_reference THEN
    total := p_used;
  END IF;
  IF p_es IS NOT NULL THEN
    s := string_to_array(p_es, ',')::bigint[];
    u := string_to_array(p_eu, ',')::bigint[];
    FOR k IN 1..array_length(s, 1) LOOP
      IF s[k] >= lo AND s[k] <= p_reference THEN
        total := total + u[k];
      END IF;
    END LOOP;
  END IF;
  RETURN LEAST(total, 9223372036854775807)::bigint;
END
$$;

-- What earlier versions created and this one replaces: the general consume took one request, a second
-- function took a batch, and both called a third. Dropped so that no stale overload stays callable.
DROP FUNCTION IF EXISTS ${prefix}counter_consume_batch(VARCHAR[], INT[], INT[], VARCHAR[], BIGINT[], BIGINT[],
    VARCHAR[], INT[], VARCHAR[], BIGINT[], BIGINT[], INT[], BIGINT[], BIGINT[], BIGINT[]);
DROP FUNCTION IF EXISTS ${prefix}counter_consume(VARCHAR, VARCHAR[], BIGINT[], BIGINT[], INT[], BIGINT[],
    BIGINT[], INT, VARCHAR, BIGINT, BIGINT, BIGINT);
DROP FUNCTION IF EXISTS ${prefix}counter_consume_cells(BOOLEAN, VARCHAR, VARCHAR[], BIGINT[], BIGINT[], INT[],
    BIGINT[], BIGINT[], INT, VARCHAR, BIGINT, BIGINT, BIGINT);

-- The consume: SELECT ${prefix}counter_consume(...), for one request or a coalesced batch of them (a single
-- consume is a batch of one), in one statement and one transaction. The requests come flattened into
-- arrays: per request the subject that owns its operation id (its first subject), its number of charges,
-- mode, operation id, expiry and fingerprint; per charge (the requests one after another) the subject it
-- charges, its key, slot, limit and amount. Codes: a mode is ConsumeRequest.Mode#code() (0 check, 1 enforce,
-- 2 reserve, 3 force, 4 refund); an answered status ConsumeResult.Status#code() (0 applied, 1 denied,
-- 2 duplicate, 3 mismatch); an operation's state 0 applied, 1 held (the constants below name them).
-- Answers per request, in order, [status, used_1, fits_1, used_2, fits_2, ...] (fits 1 or 0).
-- Each request is all or nothing across all its charges, whatever subjects they charge; an operation id
-- found with another fingerprint answers mismatch instead of duplicate.
-- Locks: every locker takes counter rows in (subject, counter_key) order, the order of the primary key, so
-- that requests sharing a subject (an organisation's cells charged with each of its users') never deadlock.
-- A batch of several requests first locks all of its cells (missing ones are first inserted as
-- placeholders, so that there is a row to lock) and then runs the requests strictly one after another in
-- the order given, each as if alone. A batch of one first reads without locks, so that a check or a clear
-- denial never locks a row; otherwise it locks its cells in the same order, checks again and writes.
-- The bucket arithmetic (roll-over, rolling sums, saturating adds) is the SPI's WindowCell on the Java
-- side; here it is written once more because a single statement must do it where the rows are.
CREATE OR REPLACE FUNCTION ${prefix}counter_consume(p_owners VARCHAR[], p_counts INT[], p_modes INT[],
    p_ops VARCHAR[], p_expires BIGINT[], p_fps BIGINT[], p_subjects VARCHAR[], p_keys VARCHAR[],
    p_starts BIGINT[], p_ends BIGINT[], p_lookbacks INT[], p_limits BIGINT[], p_amounts BIGINT[])
    RETURNS BIGINT[] LANGUAGE plpgsql AS $$
DECLARE
  m_check CONSTANT INT := 0;
  m_enforce CONSTANT INT := 1;
  m_reserve CONSTANT INT := 2;
  m_force CONSTANT INT := 3;
  m_refund CONSTANT INT := 4;
  s_applied CONSTANT BIGINT := 0;
  s_denied CONSTANT BIGINT := 1;
  s_duplicate CONSTANT BIGINT := 2;
  s_mismatch CONSTANT BIGINT := 3;
  op_applied CONSTANT INT := 0;
  op_held CONSTANT INT := 1;
  several BOOLEAN := cardinality(p_owners) > 1;
  res BIGINT[] := '{}';
  before_n INT := 0;
  q INT;
  n INT;
  v_mode INT;
  v_op VARCHAR;
  v_fp BIGINT;
  v_owner VARCHAR;
  subs VARCHAR[];
  keys VARCHAR[];
  starts BIGINT[];
  ends BIGINT[];
  lbs INT[];
  lims BIGINT[];
  amounts BIGINT[];
  writes BOOLEAN[];
  seen_fp BIGINT;
  r RECORD;
  i INT;
  j INT;
  pass INT;
  found_n INT;
  seen_n INT;
  wanted INT;
  locked INT;
  touched BOOLEAN[];
  c_ms BIGINT[];
  c_lb INT[];
  c_start BIGINT[];
  c_end BIGINT[];
  c_used BIGINT[];
  c_es TEXT[];
  c_eu TEXT[];
  v_used BIGINT[];
  v_fits BOOLEAN[];
  all_fit BOOLEAN;
  charged BIGINT[];
  es BIGINT[];
  eu BIGINT[];
  oldest NUMERIC;
  cnt INT;
BEGIN
  IF several THEN
    -- lock the batch's cells that exist; when some are missing, insert placeholders for the cells that a
    -- request writes (checks and refunds create nothing) and lock again
    writes := '{}';
    FOR q IN 1..cardinality(p_owners) LOOP
      writes := writes || array_fill(p_modes[q] IN (m_enforce, m_reserve, m_force), ARRAY[p_counts[q]]);
    END LOOP;
    PERFORM 1 FROM ${prefix}counter t
      WHERE (t.subject, t.counter_key) IN (SELECT k.sub, k.key FROM unnest(p_subjects, p_keys) AS k(sub, key))
      ORDER BY t.subject, t.counter_key FOR UPDATE;
    GET DIAGNOSTICS locked = ROW_COUNT;
    SELECT count(*) INTO wanted FROM (SELECT DISTINCT k.sub, k.key FROM unnest(p_subjects, p_keys) AS k(sub, key)) d;
    IF locked < wanted THEN
      INSERT INTO ${prefix}counter (subject, counter_key, bucket_ms, lookback, period_start, period_end, used,
          expires_at)
      SELECT DISTINCT ON (k.sub, k.key) k.sub, k.key, k.e - k.s, k.lb, NULL, k.e, 0,
             ${prefix}counter_kept_until(NULL, k.e, k.lb, k.e - k.s)
      FROM unnest(p_subjects, p_keys, p_starts, p_ends, p_lookbacks, writes) AS k(sub, key, s, e, lb, w)
      WHERE k.w
      ORDER BY k.sub, k.key
      ON CONFLICT DO NOTHING;
      PERFORM 1 FROM ${prefix}counter t
        WHERE (t.subject, t.counter_key) IN (SELECT k.sub, k.key FROM unnest(p_subjects, p_keys) AS k(sub, key))
        ORDER BY t.subject, t.counter_key FOR UPDATE;
    END IF;
  END IF;

  <<requests>>
  FOR q IN 1..cardinality(p_owners) LOOP
    n := p_counts[q];
    v_mode := p_modes[q]; v_op := p_ops[q]; v_fp := p_fps[q]; v_owner := p_owners[q];
    subs := p_subjects[before_n + 1:before_n + n]; keys := p_keys[before_n + 1:before_n + n];
    starts := p_starts[before_n + 1:before_n + n]; ends := p_ends[before_n + 1:before_n + n];
    lbs := p_lookbacks[before_n + 1:before_n + n]; lims := p_limits[before_n + 1:before_n + n];
    amounts := p_amounts[before_n + 1:before_n + n];
    before_n := before_n + n;
    seen_n := n;
    -- pass 1 reads without locks (a batch of one only); pass 2 locks in (subject, key) order
    FOR pass IN CASE WHEN several THEN 2 ELSE 1 END..2 LOOP
      c_ms := array_fill(0::bigint, ARRAY[n]); c_lb := array_fill(0, ARRAY[n]);
      c_start := array_fill(NULL::bigint, ARRAY[n]); c_end := array_fill(NULL::bigint, ARRAY[n]);
      c_used := array_fill(0::bigint, ARRAY[n]); c_es := array_fill(NULL::text, ARRAY[n]);
      c_eu := array_fill(NULL::text, ARRAY[n]);
      found_n := 0;
      IF pass = 1 THEN
        FOR r IN SELECT t.*, k.ord::int AS ord FROM unnest(subs, keys) WITH ORDINALITY AS k(sub, key, ord)
            JOIN ${prefix}counter t ON t.subject = k.sub AND t.counter_key = k.key LOOP
          i := r.ord; found_n := found_n + 1;
          c_ms[i] := r.bucket_ms; c_lb[i] := r.lookback; c_used[i] := r.used; c_end[i] := r.period_end;
          c_es[i] := r.earlier_starts; c_eu[i] := r.earlier_used; c_start[i] := r.period_start;
        END LOOP;
        seen_n := found_n;
        IF v_op IS NOT NULL THEN
          SELECT fingerprint INTO seen_fp FROM ${prefix}operation WHERE subject = v_owner AND operation_id = v_op;
          IF FOUND THEN
            res := res || CASE WHEN seen_fp = v_fp THEN s_duplicate ELSE s_mismatch END;
            FOR i IN 1..n LOOP
              res := res || ${prefix}counter_sum(c_ms[i], c_lb[i], c_start[i], c_end[i], c_used[i], c_es[i],
                  c_eu[i], starts[i]) || 1::bigint;
            END LOOP;
            CONTINUE requests;
          END IF;
        END IF;
      ELSE
        IF v_mode IN (m_enforce, m_reserve, m_force) AND seen_n < n THEN
          INSERT INTO ${prefix}counter (subject, counter_key, bucket_ms, lookback, period_start, period_end,
              used, expires_at)
          SELECT k.sub, k.key, k.e - k.s, k.lb, NULL, k.e, 0, ${prefix}counter_kept_until(NULL, k.e, k.lb, k.e - k.s)
          FROM unnest(subs, keys, starts, ends, lbs) AS k(sub, key, s, e, lb)
          ORDER BY k.sub, k.key
          ON CONFLICT DO NOTHING;
        END IF;
        FOR r IN SELECT t.*, k.ord::int AS ord FROM unnest(subs, keys) WITH ORDINALITY AS k(sub, key, ord)
            JOIN ${prefix}counter t ON t.subject = k.sub AND t.counter_key = k.key
            ORDER BY t.subject, t.counter_key FOR UPDATE OF t LOOP
          i := r.ord; found_n := found_n + 1;
          c_ms[i] := r.bucket_ms; c_lb[i] := r.lookback; c_used[i] := r.used; c_end[i] := r.period_end;
          c_es[i] := r.earlier_starts; c_eu[i] := r.earlier_used; c_start[i] := r.period_start;
        END LOOP;
        IF v_mode IN (m_enforce, m_reserve, m_force) AND found_n < n THEN
          -- a purge deleted a placeholder between insert and lock: let the caller retry
          RAISE EXCEPTION 'counter row vanished while locking' USING ERRCODE = '40001';
        END IF;
      END IF;

      v_used := array_fill(0::bigint, ARRAY[n]);
      v_fits := array_fill(true, ARRAY[n]);
      all_fit := true;
      FOR i IN 1..n LOOP
        IF c_start[i] IS NULL THEN
          v_used[i] := 0;
        ELSIF c_lb[i] = 0 AND c_es[i] IS NULL THEN
          -- a fixed window (most cells), without a function call: it counts unless it ended by the slot's start
          v_used[i] := CASE WHEN c_end[i] > starts[i] THEN c_used[i] ELSE 0 END;
        ELSE
          v_used[i] := ${prefix}counter_sum(c_ms[i], c_lb[i], c_start[i], c_end[i], c_used[i], c_es[i], c_eu[i],
              starts[i]);
        END IF;
        -- Charge#fits: a zero amount asks whether anything is left
        IF amounts[i] = 0 THEN
          v_fits[i] := v_used[i] < lims[i];
        ELSE
          v_fits[i] := v_used[i]::numeric + amounts[i] <= lims[i];
        END IF;
        all_fit := all_fit AND v_fits[i];
      END LOOP;

      IF v_mode = m_check OR (NOT all_fit AND v_mode IN (m_enforce, m_reserve)) THEN
        IF pass = 2 AND v_op IS NOT NULL THEN
          SELECT fingerprint INTO seen_fp FROM ${prefix}operation WHERE subject = v_owner AND operation_id = v_op;
          IF FOUND THEN
            res := res || CASE WHEN seen_fp = v_fp THEN s_duplicate ELSE s_mismatch END;
            FOR i IN 1..n LOOP res := res || v_used[i] || 1::bigint; END LOOP;
            CONTINUE requests;
          END IF;
        END IF;
        res := res || CASE WHEN all_fit THEN s_applied ELSE s_denied END;
        FOR i IN 1..n LOOP res := res || v_used[i] || CASE WHEN v_fits[i] THEN 1 ELSE 0 END::bigint; END LOOP;
        CONTINUE requests;
      END IF;
    END LOOP;

    IF v_op IS NOT NULL THEN
      INSERT INTO ${prefix}operation (subject, operation_id, state, fingerprint, expires_at)
      VALUES (v_owner, v_op, CASE WHEN v_mode = m_reserve THEN op_held ELSE op_applied END, v_fp, p_expires[q])
      ON CONFLICT DO NOTHING;
      GET DIAGNOSTICS cnt = ROW_COUNT;
      IF cnt = 0 THEN
        -- taken meanwhile by a transaction that committed since: this statement sees its row
        SELECT fingerprint INTO seen_fp FROM ${prefix}operation WHERE subject = v_owner AND operation_id = v_op;
        res := res || CASE WHEN seen_fp = v_fp THEN s_duplicate ELSE s_mismatch END;
        FOR i IN 1..n LOOP res := res || v_used[i] || 1::bigint; END LOOP;
        CONTINUE requests;
      END IF;
    END IF;

    charged := array_fill(0::bigint, ARRAY[n]);
    touched := array_fill(false, ARRAY[n]);
    FOR i IN 1..n LOOP
      IF v_mode = m_refund THEN
        IF c_start[i] IS NULL THEN CONTINUE; END IF;
        IF starts[i] = c_start[i] THEN
          c_used[i] := GREATEST(0, c_used[i] - amounts[i]);
        ELSE
          es := string_to_array(c_es[i], ',')::bigint[]; eu := string_to_array(c_eu[i], ',')::bigint[];
          j := array_position(es, starts[i]);
          IF j IS NOT NULL THEN
            eu[j] := GREATEST(0, eu[j] - amounts[i]);
            c_eu[i] := array_to_string(eu, ',');
          END IF;
        END IF;
      ELSIF c_start[i] IS NULL THEN
        -- never charged (no row, or a placeholder): starts with this slot's shape
        c_ms[i] := ends[i] - starts[i]; c_lb[i] := lbs[i]; c_es[i] := NULL; c_eu[i] := NULL;
        c_start[i] := starts[i]; c_end[i] := ends[i]; c_used[i] := amounts[i];
        charged[i] := starts[i];
      ELSIF starts[i] < c_start[i] AND v_mode <> m_force THEN
        -- a lagging clock: the later stored period wins and takes the charge
        c_used[i] := LEAST(9223372036854775807, c_used[i]::numeric + amounts[i])::bigint;
        c_end[i] := GREATEST(c_end[i], ends[i]);
        charged[i] := c_start[i];
      ELSIF starts[i] < c_start[i] THEN
        -- forced usage of an earlier bucket counts there if the bucket is still kept
        charged[i] := starts[i];
        es := string_to_array(c_es[i], ',')::bigint[]; eu := string_to_array(c_eu[i], ',')::bigint[];
        j := array_position(es, starts[i]);
        IF j IS NOT NULL THEN
          eu[j] := LEAST(9223372036854775807, eu[j]::numeric + amounts[i])::bigint;
          c_eu[i] := array_to_string(eu, ',');
        END IF;
      ELSIF starts[i] = c_start[i] OR (c_lb[i] = 0 AND c_end[i] > starts[i]) THEN
        -- the stored period, or (calendar) another zone's period that overlaps it: it takes the charge and
        -- extends to the slot's end, keeping its start
        c_used[i] := LEAST(9223372036854775807, c_used[i]::numeric + amounts[i])::bigint;
        c_end[i] := GREATEST(c_end[i], ends[i]);
        charged[i] := c_start[i];
      ELSE
        -- a newer bucket: the old newest joins the earlier ones; what can never count again is dropped
        oldest := starts[i] - c_lb[i]::numeric * c_ms[i];
        es := ARRAY(SELECT e.s FROM unnest(string_to_array(c_es[i], ',')::bigint[],
                                          string_to_array(c_eu[i], ',')::bigint[]) WITH ORDINALITY AS e(s, u, o)
                    WHERE e.s >= oldest ORDER BY e.o);
        eu := ARRAY(SELECT e.u FROM unnest(string_to_array(c_es[i], ',')::bigint[],
                                          string_to_array(c_eu[i], ',')::bigint[]) WITH ORDINALITY AS e(s, u, o)
                    WHERE e.s >= oldest ORDER BY e.o);
        IF c_lb[i] > 0 AND c_start[i] >= oldest THEN
          es := es || c_start[i]; eu := eu || c_used[i];
        END IF;
        c_es[i] := NULLIF(array_to_string(es, ','), ''); c_eu[i] := NULLIF(array_to_string(eu, ','), '');
        c_start[i] := starts[i]; c_end[i] := ends[i]; c_used[i] := amounts[i];
        charged[i] := starts[i];
      END IF;
      IF c_lb[i] = 0 AND c_es[i] IS NULL THEN
        v_used[i] := CASE WHEN c_end[i] > starts[i] THEN c_used[i] ELSE 0 END;
      ELSE
        v_used[i] := ${prefix}counter_sum(c_ms[i], c_lb[i], c_start[i], c_end[i], c_used[i], c_es[i], c_eu[i],
            starts[i]);
      END IF;
      touched[i] := true;
    END LOOP;

    UPDATE ${prefix}counter t SET bucket_ms = v.ms, lookback = v.lb, period_start = v.st, period_end = v.en,
        used = v.us, earlier_starts = v.es, earlier_used = v.eu,
        expires_at = ${prefix}counter_kept_until(v.st, v.en, v.lb, v.ms)
      FROM unnest(subs, keys, c_ms, c_lb, c_start, c_end, c_used, c_es, c_eu, touched)
           AS v(sub, key, ms, lb, st, en, us, es, eu, touched)
      WHERE t.subject = v.sub AND t.counter_key = v.key AND v.touched;

    IF v_mode = m_reserve THEN
      -- each charge remembers its subject, so that settle and purge adjust every subject's cells
      INSERT INTO ${prefix}hold (subject, operation_id, charge_index, counter_key, amount, charged_start,
          charged_subject)
      SELECT v_owner, v_op, (h.ord - 1)::int, h.key, h.amount, h.charged, h.sub
      FROM unnest(subs, keys, amounts, charged) WITH ORDINALITY AS h(sub, key, amount, charged, ord);
    END IF;

    res := res || s_applied;
    FOR i IN 1..n LOOP res := res || v_used[i] || CASE WHEN v_fits[i] THEN 1 ELSE 0 END::bigint; END LOOP;
  END LOOP;
  RETURN res;
END
$$;

-- The common consume, alone or a batch of them, in one plain UPDATE planned once per session: the caller
-- sends one entry per cell (subject, key), distinct, with the slot that all of the cell's charges use,
-- their total amount, and the cell's room: the most usage it may have now for every charge to fit in turn.
-- The UPDATE takes the cells in (subject, key) order (as ${prefix}counter_consume locks them, so that none of
-- them deadlock): the settings on the function leave the planner one plan, a nested loop over the sorted
-- cells that finds each row by its primary key; PostgreSQL locks each row and checks it again at its
-- newest version before writing it.
-- A cell is written only if it exists, has lookback 0 and no earlier buckets, and its usage (read as
-- ${prefix}counter_consume reads such a cell) is within its room: usage plus total (a slot that
-- starts at or after the stored end starts a new period; any other slot, of the same period, of another
-- zone's overlapping period or from a caller whose clock lags, counts into the stored one, which extends to
-- the slot's end if that is later). If any cell was not written, the block rolls back what was: all or nothing.
-- Answers [status, used_1, used_2, ...], each cell's usage before the call in the order given, with status
-- 0 written, or 1 not written because some cell has no room (from a lock-free read after the rollback, as
-- ${prefix}counter_consume answers a clear denial); or [NULL] when nothing was written for any other reason
-- (a cell missing or not plain, or no cell without room at the read): the caller then runs the general
-- function.
CREATE OR REPLACE FUNCTION ${prefix}counter_consume_fast(p_subjects VARCHAR[], p_keys VARCHAR[],
    p_starts BIGINT[], p_ends BIGINT[], p_totals BIGINT[], p_rooms BIGINT[]) RETURNS BIGINT[] LANGUAGE plpgsql
    SET plan_cache_mode = force_generic_plan SET enable_seqscan = off SET enable_hashjoin = off
    SET enable_mergejoin = off AS $$
DECLARE
  n INT := cardinality(p_keys);
  res BIGINT[];
  written INT;
  plain BOOLEAN;
  fits BOOLEAN;
BEGIN
  BEGIN
    WITH c AS MATERIALIZED (
      SELECT c.sub, c.key, c.s, c.e, c.total, c.room, c.ord
        FROM unnest(p_subjects, p_keys, p_starts, p_ends, p_totals, p_rooms) WITH ORDINALITY
             AS c(sub, key, s, e, total, room, ord)
       ORDER BY c.sub, c.key
    ), upd AS (
      -- within its room, usage plus total is within the limit: no overflow
      UPDATE ${prefix}counter t
         SET bucket_ms = CASE WHEN t.period_start IS NULL OR t.period_end <= c.s THEN c.e - c.s
                              ELSE t.bucket_ms END,
             period_start = CASE WHEN t.period_start IS NULL OR t.period_end <= c.s THEN c.s
                                 ELSE t.period_start END,
             period_end = CASE WHEN t.period_start IS NULL OR t.period_end <= c.s THEN c.e
                               ELSE GREATEST(t.period_end, c.e) END,
             expires_at = CASE WHEN t.period_start IS NULL OR t.period_end <= c.s
                               THEN ${prefix}counter_kept_until(c.s, c.e, 0, 0)
                               ELSE ${prefix}counter_kept_until(t.period_start, GREATEST(t.period_end, c.e), 0, 0)
                          END,
             used = CASE WHEN t.period_end > c.s THEN t.used ELSE 0 END + c.total
        FROM c
       WHERE t.subject = c.sub AND t.counter_key = c.key AND t.lookback = 0 AND t.earlier_starts IS NULL
         AND t.earlier_used IS NULL AND CASE WHEN t.period_end > c.s THEN t.used ELSE 0 END <= c.room
      RETURNING c.ord, t.used - c.total AS before
    )
    SELECT array_agg(u.before ORDER BY u.ord), count(*) INTO res, written FROM upd u;
    IF written < n THEN
      RAISE EXCEPTION USING ERRCODE = 'P0002'; -- caught below: undoes the rows written
    END IF;
  EXCEPTION WHEN SQLSTATE 'P0002' THEN
    SELECT bool_and(l.subject IS NOT NULL AND l.lookback = 0 AND l.earlier_starts IS NULL
                    AND l.earlier_used IS NULL),
           bool_and(CASE WHEN l.period_end > c.s THEN l.used ELSE 0 END <= c.room),
           array_agg(CASE WHEN l.period_end > c.s THEN l.used ELSE 0 END ORDER BY c.ord)
      INTO plain, fits, res
      FROM unnest(p_subjects, p_keys, p_starts, p_rooms) WITH ORDINALITY AS c(sub, key, s, room, ord)
      LEFT JOIN ${prefix}counter l ON l.subject = c.sub AND l.counter_key = c.key;
    IF plain AND NOT fits THEN
      RETURN 1::bigint || res;
    END IF;
    RETURN ARRAY[NULL::bigint];
  END;
  RETURN 0::bigint || res;
END
$$;
