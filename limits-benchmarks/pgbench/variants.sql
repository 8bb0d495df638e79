-- For plain_checks.sql (see run.sh): a partial write must abort the whole statement. The variants of
-- limits_counter_consume_fast are made by run.sh from the shipped schema, so that they follow it.
CREATE OR REPLACE FUNCTION probe_raise(n BIGINT) RETURNS BIGINT LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION USING ERRCODE = 'P0002';
END
$$;
