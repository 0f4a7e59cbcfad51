// GET /stats: counts by status per job name and stage type (from jobs and stage counters), the oldest
// ready task's age (one index probe per queue and priority), and this replica's recent throughput.
import type { Stats } from '@jobnik/contracts';
import type { Db } from '../db/db.js';
import type { Throughput } from './throughput.js';

export class StatsService {
  constructor(
    private readonly db: Db,
    private readonly throughput: Throughput,
  ) {}

  async stats(tenantId: string | null): Promise<Stats> {
    const [jobs, tasks, oldest] = await Promise.all([
      this.db.query<{ name: string; status: string; n: number }>(
        `SELECT name, status, count(*)::int AS n FROM jobs WHERE ($1::text IS NULL OR tenant_id = $1) GROUP BY name, status ORDER BY name`,
        [tenantId],
      ),
      this.db.query<Record<string, number | string>>(
        `SELECT s.type, sum(n_waiting)::int AS "WAITING", sum(n_pending)::int AS "PENDING", sum(n_in_progress)::int AS "IN_PROGRESS",
                sum(n_paused)::int AS "PAUSED", sum(n_completed)::int AS "COMPLETED", sum(n_failed)::int AS "FAILED", sum(n_aborted)::int AS "ABORTED"
         FROM stages s JOIN queues q ON q.id = s.queue_id WHERE ($1::text IS NULL OR q.tenant_id = $1) GROUP BY s.type ORDER BY s.type`,
        [tenantId],
      ),
      this.db.query<{ oldest: Date | string | null }>(
        `SELECT min(x.run_after) AS oldest FROM queues q CROSS JOIN generate_series(0, 4) AS p(priority)
         CROSS JOIN LATERAL (SELECT t.run_after FROM tasks t WHERE t.queue_id = q.id AND t.priority = p.priority
           AND t.status = 'PENDING' AND t.run_after <= now() ORDER BY t.run_after, t.seq LIMIT 1) x
         WHERE ($1::text IS NULL OR q.tenant_id = $1)`,
        [tenantId],
      ),
    ]);
    const byName = new Map<string, Record<string, number>>();
    for (const r of jobs) {
      const counts = byName.get(r.name) ?? {};
      counts[r.status] = r.n;
      byName.set(r.name, counts);
    }
    const oldestAt = oldest[0]?.oldest;
    return {
      generatedAt: new Date().toISOString(),
      jobsByName: [...byName].map(([name, counts]) => ({ name, counts })),
      tasksByStageType: tasks.map(({ type, ...counts }) => ({ stageType: type as string, counts: counts as Record<string, number> })),
      oldestReadyAgeMs: oldestAt ? Math.max(0, Date.now() - new Date(oldestAt).getTime()) : null,
      throughput: {
        completedLastMinute: this.throughput.sum('completed', 60),
        failedLastMinute: this.throughput.sum('failed', 60),
        completedPerSecond: this.throughput.completedPerSecond(60),
      },
      failuresLastHour: this.throughput.sum('failed', 3600),
    };
  }
}
