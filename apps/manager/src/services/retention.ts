// Deletes finished jobs past their retention (expiresAt, else the job type's retentionDays, else the
// configured default), tasks first in bounded batches so no statement holds locks for long.
import type { Logger } from 'pino';
import type { Db } from '../db/db.js';
import { Periodic } from './periodic.js';

export interface RetentionOptions {
  days: number;
  intervalMs: number;
  batchSize: number;
}

export class Retention {
  private readonly loop: Periodic;

  constructor(
    private readonly db: Db,
    private readonly options: RetentionOptions,
    private readonly logger: Logger,
  ) {
    this.loop = new Periodic('retention sweep', options.intervalMs, () => this.sweep(), logger);
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** Returns the number of jobs deleted. */
  async sweep(): Promise<number> {
    let deleted = 0;
    for (;;) {
      const expired = await this.db.query<{ id: string }>(
        `SELECT j.id FROM jobs j LEFT JOIN job_types jt ON jt.tenant_id = j.tenant_id AND jt.name = j.name
         WHERE j.finished_at IS NOT NULL
           AND coalesce(j.expires_at, j.finished_at + coalesce((jt.defaults->>'retentionDays')::float8, $1) * interval '1 day') < now()
         ORDER BY j.finished_at LIMIT 20`,
        [this.options.days],
      );
      if (expired.length === 0) return deleted;
      const ids = expired.map((r) => r.id);
      for (;;) {
        const gone = await this.db.query(
          `DELETE FROM tasks WHERE id IN (
             SELECT t.id FROM tasks t WHERE t.stage_id IN (SELECT id FROM stages WHERE job_id = ANY($1::uuid[])) LIMIT $2)
           RETURNING 1`,
          [ids, this.options.batchSize],
        );
        if (gone.length < this.options.batchSize) break;
      }
      await this.db.query('DELETE FROM jobs WHERE id = ANY($1::uuid[]) AND finished_at IS NOT NULL', [ids]);
      deleted += ids.length;
      this.logger.info({ jobs: ids.length }, 'retention deleted finished jobs');
    }
  }
}
