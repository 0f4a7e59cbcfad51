-- How far the lost-task collector has swept: every lease that expired before `at` has been taken back (by some
-- replica's pass; each pass covers every queue). Counts of running tasks (queue depths, a stage's split counts, the
-- capacity checks of capped queues and job groups) read tasks_running from `at` on instead of from each queue's
-- start: while a session holds the xmin horizon, that index keeps an entry for every lease taken since, and a count
-- from the start walked all of them (GET /queues and the /metrics scrape: 4.6–5.4 s after 5 minutes of a hold). From
-- the watermark on, a count passes the leases of the last lease length or so, however long the hold has lasted.
-- One row; it only moves forward; -infinity (nothing swept yet) counts from the start.
CREATE TABLE sweep_watermark (
  one boolean PRIMARY KEY DEFAULT true CHECK (one),
  at  timestamptz NOT NULL
);
INSERT INTO sweep_watermark (at) VALUES ('-infinity');
