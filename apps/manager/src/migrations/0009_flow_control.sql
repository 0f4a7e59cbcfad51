-- Flow control: per-tenant weights and priority aging on queues, job groups (queue classes) with capacities,
-- and rate limits (GCRA state rows) per stage type, optionally per tenant.

-- The queue's share of its stage type's leases when several tenants have ready work at one priority.
ALTER TABLE queues ADD COLUMN weight real NOT NULL DEFAULT 1 CHECK (weight > 0);
-- Priority aging: a ready task counts one priority level higher per aging_ms it has waited (NULL = off).
ALTER TABLE queues ADD COLUMN aging_ms integer CHECK (aging_ms IS NULL OR aging_ms > 0);

-- A named capacity shared by every stage type mapped to it, across all tenants.
CREATE TABLE queue_groups (
  name          text PRIMARY KEY,
  max_in_flight integer NOT NULL CHECK (max_in_flight > 0),
  source        text NOT NULL DEFAULT 'api' CHECK (source IN ('config', 'api')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
-- A stage type belongs to at most one group.
CREATE TABLE queue_group_members (
  stage_type text PRIMARY KEY,
  group_name text NOT NULL REFERENCES queue_groups (name) ON DELETE CASCADE
);
CREATE INDEX queue_group_members_group ON queue_group_members (group_name);

-- Rate limits as GCRA state: at most limit_n starts per period_ms, burst back to back. tat = theoretical arrival
-- time of the next start (the bucket as one timestamp); tenant_id '*' = the whole stage type.
CREATE TABLE rate_limits (
  stage_type text NOT NULL,
  tenant_id  text NOT NULL DEFAULT '*',
  limit_n    integer NOT NULL CHECK (limit_n > 0),
  period_ms  integer NOT NULL CHECK (period_ms > 0),
  burst      integer NOT NULL CHECK (burst > 0),
  tat        timestamptz NOT NULL DEFAULT '-infinity',
  source     text NOT NULL DEFAULT 'api' CHECK (source IN ('config', 'api')),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (stage_type, tenant_id)
) WITH (fillfactor = 50);
