-- History: an append-only record of job and stage transitions and of every task attempt, written by the
-- statements that make the changes. Both tables draw their seq from one sequence, so a job's history and the
-- event streams (SSE) read them in one order. Rows are pruned with their job by retention (no foreign key, so
-- the hot path's inserts take no lock on jobs and retention deletes them in bounded batches).
CREATE SEQUENCE history_seq;

-- A job (stage_id NULL) or stage transition; from_status NULL when the job was created.
CREATE TABLE job_history (
  seq         bigint PRIMARY KEY DEFAULT nextval('history_seq'),
  tenant_id   text NOT NULL,
  job_id      uuid NOT NULL,
  stage_id    uuid,
  from_status text,
  to_status   text NOT NULL,
  actor       text NOT NULL,
  reason      jsonb,
  at          timestamptz(3) NOT NULL DEFAULT now()
);
CREATE INDEX job_history_by_job ON job_history (job_id, seq);

-- One row per attempt that ended (a running attempt is the task's current lease).
-- outcome: how the attempt ended (COMPLETED, FAILED, RELEASED, LEASE_EXPIRED, TIMEOUT, SUSPENDED, ABORTED);
-- task_status: the task's status right after it (FAILED = failed for good, PENDING = will run again).
-- The hot path writes one row per attempt, so it carries one btree only: (job_id, seq) serves a job's history,
-- a task's attempts (job and task known) and retention; the streams' global order reads a BRIN on seq.
CREATE TABLE task_attempts (
  seq              bigint NOT NULL DEFAULT nextval('history_seq'),
  queue_id         integer NOT NULL,
  job_id           uuid NOT NULL,
  stage_id         uuid NOT NULL,
  task_id          uuid NOT NULL,
  attempt          integer NOT NULL,
  worker           text,
  lease_started_at timestamptz(3),
  lease_ended_at   timestamptz(3) NOT NULL DEFAULT now(),
  outcome          text NOT NULL,
  task_status      text NOT NULL,
  error            jsonb,
  actor            text NOT NULL
) WITH (autovacuum_vacuum_scale_factor = 0.02);
CREATE INDEX task_attempts_by_job ON task_attempts (job_id, seq);
CREATE INDEX task_attempts_by_seq ON task_attempts USING brin (seq);

-- Job-level timeout: the job fails with TIMEOUT once it has run longer than this since it was created.
ALTER TABLE jobs ADD COLUMN timeout_ms integer CHECK (timeout_ms IS NULL OR timeout_ms > 0);
ALTER TABLE jobs ADD COLUMN deadline_at timestamptz;
-- Why the job ended, when the manager decided it (e.g. {"code": "TIMEOUT"}); NULL otherwise.
ALTER TABLE jobs ADD COLUMN error jsonb;
CREATE INDEX jobs_deadline ON jobs (deadline_at) WHERE deadline_at IS NOT NULL AND finished_at IS NULL;

-- Custom headers of a webhook subscription, copied to each of its deliveries.
ALTER TABLE webhook_events ADD COLUMN headers jsonb;
