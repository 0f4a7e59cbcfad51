-- A /v1 stage's summary counts its retried tasks (back to PENDING or PAUSED after an attempt): without an index that
-- count walked every task of the stage (tasks_by_stage and the heap): 170 ms per read at a million tasks. Only retried
-- tasks waiting for their next attempt enter this index, and the columns of its predicate change only in updates that
-- change the status, which are never HOT anyway: it costs the hot path nothing.
CREATE INDEX tasks_retried_by_stage ON tasks (stage_id) WHERE attempts > 0 AND status IN ('PENDING', 'PAUSED');
