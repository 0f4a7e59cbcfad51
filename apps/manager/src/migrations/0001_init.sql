-- Jobnik schema v1: queues, jobs, stages, tasks, workers.
-- Hot-path notes: tasks carry queue_id (an integer per tenant + stage type) and priority (0 = VERY_HIGH)
-- so the ready index compares integers; a task is PENDING only when it may be handed out (its stage is
-- open and it is not paused), so dequeue never joins stages or jobs.

CREATE FUNCTION jobnik_uuid_v7() RETURNS uuid LANGUAGE sql VOLATILE AS $$
  -- 48-bit unix milliseconds, then random bits, version 7 and variant 10xx.
  SELECT encode(
    set_bit(set_bit(
      overlay(uuid_send(gen_random_uuid()) PLACING substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3) FROM 1 FOR 6),
    52, 1), 53, 1), 'hex')::uuid;
$$;

-- Retry delay in ms for the attempt that just ended: min(max, base * 2^(attempt-1)), drawn from [(1-jitter)*d, d].
CREATE FUNCTION jobnik_backoff_ms(attempt integer, base_ms integer, max_ms integer, jitter double precision) RETURNS double precision
LANGUAGE sql VOLATILE AS $$
  SELECT LEAST(max_ms::double precision, base_ms * power(2::double precision, GREATEST(attempt - 1, 0)))
         * (1 - jitter * random());
$$;

CREATE TABLE queues (
  id            serial PRIMARY KEY,
  tenant_id     text NOT NULL,
  name          text NOT NULL,
  paused        boolean NOT NULL DEFAULT false,
  max_in_flight integer CHECK (max_in_flight IS NULL OR max_in_flight > 0),
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, name)
);

CREATE TABLE jobs (
  id              uuid PRIMARY KEY DEFAULT jobnik_uuid_v7(),
  tenant_id       text NOT NULL,
  name            text NOT NULL,
  priority        smallint NOT NULL CHECK (priority BETWEEN 0 AND 4),
  status          text NOT NULL CHECK (status IN ('CREATED','PENDING','IN_PROGRESS','PAUSED','COMPLETED','FAILED','ABORTED')),
  data            jsonb NOT NULL DEFAULT 'null',
  user_metadata   jsonb NOT NULL DEFAULT '{}',
  idempotency_key text,
  request_hash    text,
  parallel_stages boolean NOT NULL DEFAULT false,
  traceparent     text,
  tracestate      text,
  -- Millisecond precision: these are cursor keys and must round-trip through JSON exactly.
  created_at      timestamptz(3) NOT NULL DEFAULT now(),
  updated_at      timestamptz(3) NOT NULL DEFAULT now(),
  started_at      timestamptz,
  finished_at     timestamptz,
  expires_at      timestamptz
);
CREATE UNIQUE INDEX jobs_idempotency_key ON jobs (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX jobs_by_created ON jobs (created_at, id);
CREATE INDEX jobs_by_updated ON jobs (updated_at, id);
CREATE INDEX jobs_by_status ON jobs (status, created_at, id);
CREATE INDEX jobs_by_name ON jobs (name, created_at, id);
CREATE INDEX jobs_finished ON jobs (finished_at) WHERE finished_at IS NOT NULL;

CREATE TABLE stages (
  id            uuid PRIMARY KEY DEFAULT jobnik_uuid_v7(),
  job_id        uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  ord           integer NOT NULL,
  type          text NOT NULL,
  queue_id      integer NOT NULL REFERENCES queues (id),
  status        text NOT NULL CHECK (status IN ('CREATED','WAITING','PENDING','IN_PROGRESS','PAUSED','COMPLETED','FAILED','ABORTED')),
  data          jsonb NOT NULL DEFAULT 'null',
  user_metadata jsonb NOT NULL DEFAULT '{}',
  fail_fast     boolean NOT NULL DEFAULT true,
  task_defaults jsonb NOT NULL DEFAULT '{}',
  -- Task counts by status, maintained in the same statement as every task transition.
  n_waiting     integer NOT NULL DEFAULT 0,
  n_pending     integer NOT NULL DEFAULT 0,
  n_in_progress integer NOT NULL DEFAULT 0,
  n_paused      integer NOT NULL DEFAULT 0,
  n_completed   integer NOT NULL DEFAULT 0,
  n_failed      integer NOT NULL DEFAULT 0,
  n_aborted     integer NOT NULL DEFAULT 0,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  started_at    timestamptz,
  finished_at   timestamptz,
  UNIQUE (job_id, ord)
) WITH (fillfactor = 50);

CREATE TABLE tasks (
  id               uuid PRIMARY KEY DEFAULT jobnik_uuid_v7(),
  seq              bigint GENERATED ALWAYS AS IDENTITY,
  job_id           uuid NOT NULL,
  stage_id         uuid NOT NULL REFERENCES stages (id) ON DELETE CASCADE,
  queue_id         integer NOT NULL,
  priority         smallint NOT NULL,
  status           text NOT NULL CHECK (status IN ('WAITING','PENDING','IN_PROGRESS','PAUSED','COMPLETED','FAILED','ABORTED')),
  data             jsonb NOT NULL DEFAULT 'null',
  user_metadata    jsonb NOT NULL DEFAULT '{}',
  attempts         integer NOT NULL DEFAULT 0,
  max_attempts     integer NOT NULL DEFAULT 3,
  backoff_base_ms  integer NOT NULL DEFAULT 1000,
  backoff_max_ms   integer NOT NULL DEFAULT 300000,
  backoff_jitter   double precision NOT NULL DEFAULT 0.2,
  timeout_ms       integer,
  run_after        timestamptz NOT NULL DEFAULT now(),
  lease_worker     text,
  lease_token      uuid,
  lease_expires_at timestamptz,
  progress         double precision NOT NULL DEFAULT 0,
  checkpoint       jsonb,
  result           jsonb,
  error            jsonb,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  started_at       timestamptz,
  finished_at      timestamptz
) WITH (fillfactor = 80, autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02);

-- Exactly the dequeue predicate and order: one range scan per (queue, priority) stops at now().
CREATE INDEX tasks_ready ON tasks (queue_id, priority, run_after, seq) WHERE status = 'PENDING';
-- Running tasks: capacity checks and the sweeper. Leases are not indexed so heartbeats stay HOT updates.
CREATE INDEX tasks_running ON tasks (queue_id) WHERE status = 'IN_PROGRESS';
CREATE INDEX tasks_by_stage ON tasks (stage_id, seq);

CREATE TABLE workers (
  tenant_id     text NOT NULL,
  id            text NOT NULL,
  stage_types   text[] NOT NULL DEFAULT '{}',
  first_seen_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
