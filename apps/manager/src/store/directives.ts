// The directives long-poll's one statement: which of a worker's tasks were cancelled or suspended while it
// runs them — the leases it listed (matched by token), and the tasks a notification named (leased to it).
import type { TaskStatus } from '@jobnik/contracts';
import { statement, type Queryable } from '../db/db.js';
import { taskInScope } from './tenant-scope.js';

export const DIRECTIVES_CHANNEL = 'jobnik_directives';

const STOPPED = statement(
  'jobnik_directives',
  `WITH listed AS (
     SELECT * FROM jsonb_to_recordset($1::text::jsonb) AS i(task_id uuid, lease_token uuid)
   )
   SELECT t.id, t.status FROM tasks t JOIN listed i ON t.id = i.task_id AND t.lease_token = i.lease_token
   WHERE t.status IN ('ABORTED', 'PAUSED') AND ${taskInScope('$4')}
   UNION
   SELECT t.id, t.status FROM tasks t
   WHERE t.id = ANY($2::uuid[]) AND t.lease_worker = $3 AND t.status IN ('ABORTED', 'PAUSED') AND ${taskInScope('$4')}`,
);

export interface StoppedTask {
  id: string;
  status: Extract<TaskStatus, 'ABORTED' | 'PAUSED'>;
}

export async function stoppedTasks(
  db: Queryable,
  p: { workerId: string; scope: string | null; leases: { taskId: string; leaseToken: string }[]; notified: string[] },
): Promise<StoppedTask[]> {
  const listed = JSON.stringify(p.leases.map((l) => ({ task_id: l.taskId, lease_token: l.leaseToken })));
  return db.query<StoppedTask>(STOPPED, [listed, p.notified, p.workerId, p.scope]);
}
