-- One stage counter for PENDING and IN_PROGRESS tasks (was: one each). A lease moves a task from PENDING to
-- IN_PROGRESS without changing its stage's counters, so it no longer updates the stage row: the leases of a big
-- stage used to queue on that one row behind its acknowledgements (every update holds the row until its commit) —
-- and while a session holds the xmin horizon, each update also left a version of the row behind. Reads split the
-- counter by counting the stage's running tasks (through tasks_running, only for a stage that has started).
ALTER TABLE stages RENAME COLUMN n_pending TO n_pending_or_running;
UPDATE stages SET n_pending_or_running = n_pending_or_running + n_in_progress WHERE n_in_progress <> 0;
ALTER TABLE stages DROP COLUMN n_in_progress;
