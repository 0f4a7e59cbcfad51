-- Idempotent appends: POST /stages/{id}/tasks with an idempotencyKey records the batch it added, so a repeat (a retry
-- after an answer lost on the network) is answered with the same task ids instead of adding the tasks a second time.
-- Keys are per stage; a batch goes with its stage (and so with its job's deletion or retention).
CREATE TABLE task_batches (
  stage_id        uuid NOT NULL REFERENCES stages (id) ON DELETE CASCADE,
  idempotency_key text NOT NULL,
  request_hash    text NOT NULL,
  task_ids        uuid[] NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (stage_id, idempotency_key)
);
