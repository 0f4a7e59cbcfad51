// Heartbeat: one statement extends every lease a worker still holds, stores progress and checkpoints,
// records the worker as seen, and returns each task's status (which becomes the directive).
import type { TaskStatus } from '@jobnik/contracts';
import { statement, type Queryable } from '../db/db.js';
import { inScope, taskInScope } from './tenant-scope.js';

const HEARTBEAT = statement(
  'jobnik_heartbeat',
  `WITH input AS (
     SELECT * FROM jsonb_to_recordset($1::text::jsonb)
       AS i(task_id uuid, lease_token uuid, progress double precision, checkpoint jsonb, has_checkpoint boolean)
   ),
   beat AS (
     UPDATE tasks t SET
       -- A lease never outlives the task's timeout (the sweeper finds both by lease_expires_at).
       lease_expires_at = CASE WHEN t.status IN ('IN_PROGRESS', 'PAUSED') THEN LEAST(now() + $2::int * interval '1 millisecond',
         coalesce(t.started_at + t.timeout_ms * interval '1 millisecond', 'infinity')) ELSE t.lease_expires_at END,
       progress = coalesce(i.progress, t.progress),
       checkpoint = CASE WHEN i.has_checkpoint THEN i.checkpoint ELSE t.checkpoint END,
       updated_at = now()
     FROM input i
     WHERE t.id = i.task_id AND t.lease_token = i.lease_token AND t.status IN ('IN_PROGRESS', 'PAUSED', 'ABORTED')
       AND ${taskInScope('$6')}
     RETURNING t.id, t.status, t.lease_expires_at
   ),
   seen AS (
     INSERT INTO workers (tenant_id, id, stage_types) VALUES ($3, $4, $5::text[])
     ON CONFLICT (tenant_id, id) DO UPDATE SET last_seen_at = now(),
       stage_types = CASE WHEN cardinality(EXCLUDED.stage_types) > 0 THEN EXCLUDED.stage_types ELSE workers.stage_types END
     RETURNING 1
   )
   SELECT i.task_id AS id, b.status, b.lease_expires_at, (SELECT count(*) FROM seen)::int AS seen
   FROM input i LEFT JOIN beat b ON b.id = i.task_id`,
);

export interface HeartbeatRow {
  id: string;
  status: TaskStatus | null;
  lease_expires_at: Date | string | null;
}

export async function heartbeat(
  db: Queryable,
  p: { workerId: string; tenantId: string; scope: string | null; stageTypes: string[]; leaseMs: number; items: unknown[] },
): Promise<HeartbeatRow[]> {
  return db.query<HeartbeatRow>(HEARTBEAT, [JSON.stringify(p.items), p.leaseMs, p.tenantId, p.workerId, p.stageTypes, p.scope]);
}

export async function listWorkers(db: Queryable, tenantId: string | null) {
  return db.query<{ id: string; tenant_id: string; stage_types: string[]; first_seen_at: Date; last_seen_at: Date; in_flight: number }>(
    `SELECT w.*, (SELECT count(*) FROM tasks t WHERE t.status = 'IN_PROGRESS' AND t.lease_worker = w.id)::int AS in_flight
     FROM workers w WHERE w.last_seen_at > now() - interval '5 minutes' AND ${inScope('w.tenant_id', '$1')}
     ORDER BY w.last_seen_at DESC LIMIT 500`,
    [tenantId],
  );
}
