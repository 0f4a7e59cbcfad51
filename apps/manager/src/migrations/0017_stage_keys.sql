-- Idempotent stage appends: POST /jobs/{id}/stages with an idempotencyKey records the stage it added, so a repeat (a
-- retry after an answer lost on the network) is answered with that stage instead of appending a second one. Keys are
-- per job and go with it (stages are deleted only with their job).
CREATE TABLE stage_keys (
  job_id          uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  idempotency_key text NOT NULL,
  request_hash    text NOT NULL,
  stage_id        uuid NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (job_id, idempotency_key)
);
