// GET /stats: counts by status per job name and stage type, the oldest ready task's age, and this
// replica's recent throughput.
import type { Stats } from '@jobnik/contracts';
import type { Db } from '../db/db.js';
import type { TenantScope } from '../domain/caller.js';
import { jobCountsByName, oldestReadyAt, taskCountsByStageType } from '../store/stats.js';
import type { Throughput } from './throughput.js';

export class StatsService {
  constructor(
    private readonly db: Db,
    private readonly throughput: Throughput,
  ) {}

  async stats(scope: TenantScope): Promise<Stats> {
    const [jobs, tasks, oldestAt] = await Promise.all([jobCountsByName(this.db, scope), taskCountsByStageType(this.db, scope), oldestReadyAt(this.db, scope)]);
    const byName = new Map<string, Record<string, number>>();
    for (const r of jobs) {
      const counts = byName.get(r.name) ?? {};
      counts[r.status] = r.n;
      byName.set(r.name, counts);
    }
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
