-- A queue's depth is read from the counters of its open stages (GET /queues, PATCH /queues, the jobnik_queue_depth
-- gauge) instead of counting its tasks one by one: this index finds them. Its predicate names only the status, so
-- the counter updates of every acknowledgement stay HOT; a stage leaves it when it finishes.
CREATE INDEX stages_open_by_queue ON stages (queue_id) WHERE status NOT IN ('COMPLETED', 'FAILED', 'ABORTED');
