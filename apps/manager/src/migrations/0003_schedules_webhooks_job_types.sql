-- Cron schedules, job types, and the webhook outbox.

CREATE TABLE job_types (
  tenant_id   text NOT NULL,
  name        text NOT NULL,
  description text,
  defaults    jsonb NOT NULL DEFAULT '{}',
  data_schema jsonb,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, name)
);

CREATE TABLE schedules (
  id             uuid PRIMARY KEY DEFAULT jobnik_uuid_v7(),
  tenant_id      text NOT NULL,
  name           text NOT NULL,
  cron           text NOT NULL,
  timezone       text NOT NULL DEFAULT 'UTC',
  enabled        boolean NOT NULL DEFAULT true,
  catch_up       text NOT NULL CHECK (catch_up IN ('all', 'latest', 'none')),
  catch_up_limit integer NOT NULL DEFAULT 100,
  job_template   jsonb NOT NULL,
  next_fire_at   timestamptz,
  last_fire_at   timestamptz,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX schedules_due ON schedules (next_fire_at) WHERE enabled;

-- Subscriptions of a job: [{ url, events, secret }].
ALTER TABLE jobs ADD COLUMN webhooks jsonb NOT NULL DEFAULT '[]';

-- The outbox: written in the transaction of the state change, delivered (and retried) afterwards.
CREATE TABLE webhook_events (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  job_id          uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  event           text NOT NULL,
  url             text NOT NULL,
  secret          text,
  payload         jsonb NOT NULL,
  attempts        integer NOT NULL DEFAULT 0,
  last_status     integer,
  last_error      text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  next_attempt_at timestamptz DEFAULT now(),
  delivered_at    timestamptz,
  failed_at       timestamptz
);
CREATE INDEX webhook_events_due ON webhook_events (next_attempt_at) WHERE delivered_at IS NULL AND failed_at IS NULL;
CREATE INDEX webhook_events_job ON webhook_events (job_id, id);
