// The stored trace context of the jobs that own some tasks (for span links of batch calls).
import type { Queryable } from '../db/db.js';

export interface JobTrace {
  traceparent: string | null;
  tracestate: string | null;
}

export function jobTracesOfTasks(db: Queryable, taskIds: string[]): Promise<JobTrace[]> {
  return db.query<JobTrace>(
    `SELECT DISTINCT j.traceparent, j.tracestate FROM tasks t JOIN jobs j ON j.id = t.job_id
     WHERE t.id = ANY($1::uuid[]) AND j.traceparent IS NOT NULL`,
    [taskIds],
  );
}
