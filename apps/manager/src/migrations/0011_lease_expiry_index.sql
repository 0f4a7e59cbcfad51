-- Running tasks indexed by queue and lease expiry (was: by queue only). The sweeper finds expired leases with a range
-- scan per queue from a watermark instead of visiting every running entry: while a session holds the xmin horizon,
-- the index keeps an entry for every lease taken since (dead, not removable), and the old sweep read all of them —
-- 600 ms to 2 s per pass after a few minutes of a hold. A lease never outlives its task's timeout (the manager caps
-- lease_expires_at at started_at + timeout_ms), so the same range finds timeouts. Counts of running tasks per queue
-- still use the index's first column.
DROP INDEX tasks_running;
CREATE INDEX tasks_running ON tasks (queue_id, lease_expires_at) WHERE status = 'IN_PROGRESS';
