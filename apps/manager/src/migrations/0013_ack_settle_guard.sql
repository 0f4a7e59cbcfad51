-- An ack that finishes no stage runs as one statement on its own (no BEGIN/COMMIT round trips through the manager while
-- it holds its stage's row). If the stages it touched may have reached their end, the statement calls this function:
-- the error rolls the whole statement back, and the manager runs the ack again in a transaction that settles them.
CREATE FUNCTION jobnik_settle_needed() RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'an acknowledgement reached the end of a stage: settle it in a transaction' USING ERRCODE = 'JN001';
END
$$;
