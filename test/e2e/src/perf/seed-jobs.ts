// Seeds a jobs history straight into PostgreSQL with set-based SQL (a few seconds for 100k jobs): mostly
// finished jobs spread over the last days, some running and pending, eight job kinds, three tenants (one
// with 0.1% of the jobs), one stage each with consistent task counters (the list reads those; task rows
// themselves are not needed).
import pg from 'pg';

export const JOB_NAMES = ['tile-export', 'nightly-report', 'ingest-batch', 'thumbnail', 'reindex', 'backup', 'email-digest', 'geo-sync'];
const STAGE_TYPES = ['tile-render', 'report-build', 'ingest', 'thumbnail', 'reindex', 'backup', 'email', 'geo-sync'];
const TASKS_PER_STAGE = 20;

export interface SeedResult {
  jobs: number;
  stages: number;
  seconds: number;
  byStatus: Record<string, number>;
}

export async function seedJobs(databaseUrl: string, count: number): Promise<SeedResult> {
  const started = performance.now();
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query(
      `INSERT INTO queues (tenant_id, name) SELECT t, q FROM unnest($1::text[]) t, unnest($2::text[]) q ON CONFLICT DO NOTHING`,
      [['default', 'acme', 'tiny'], STAGE_TYPES],
    );
    // Job g was created (count - g) × 5 s ago: 100k jobs cover 5.8 days, inside the manager's default 7-day
    // retention (older finished jobs would be deleted by its retention loop while we measure).
    await client.query(
      `INSERT INTO jobs (tenant_id, name, priority, status, data, created_at, updated_at, started_at, finished_at)
       SELECT CASE WHEN g % 1000 = 7 THEN 'tiny' WHEN g % 10 = 0 THEN 'acme' ELSE 'default' END,
              ($2::text[])[1 + g % 8],
              (g * 7) % 5,
              s.status,
              jsonb_build_object('n', g, 'region', 'r' || (g % 50)),
              s.created,
              s.created + CASE WHEN s.status = 'PENDING' THEN interval '0' ELSE interval '40 seconds' END,
              CASE WHEN s.status = 'PENDING' THEN NULL ELSE s.created + interval '1 second' END,
              CASE WHEN s.status IN ('COMPLETED', 'FAILED', 'ABORTED') THEN s.created + interval '40 seconds' END
       FROM generate_series(1, $1::int) g
       CROSS JOIN LATERAL (
         SELECT now() - ($1::int - g) * interval '5 seconds' AS created,
                CASE WHEN g > $1::int - $1::int / 50 THEN (CASE WHEN g % 2 = 0 THEN 'IN_PROGRESS' ELSE 'PENDING' END)
                     WHEN g % 20 = 0 THEN 'FAILED'
                     WHEN g % 33 = 0 THEN 'ABORTED'
                     ELSE 'COMPLETED' END AS status
       ) s`,
      [count, JOB_NAMES],
    );
    const stages = await client.query(
      `INSERT INTO stages (job_id, ord, type, queue_id, status, n_pending_or_running, n_completed, n_failed, n_aborted,
                           created_at, updated_at, started_at, finished_at)
       SELECT j.id, 0, q.name, q.id, j.status,
              CASE j.status WHEN 'PENDING' THEN $1 WHEN 'IN_PROGRESS' THEN $1 / 2 + 2 ELSE 0 END,
              CASE j.status WHEN 'COMPLETED' THEN $1 WHEN 'IN_PROGRESS' THEN $1 - $1 / 2 - 2 WHEN 'FAILED' THEN $1 - 1 WHEN 'ABORTED' THEN 3 ELSE 0 END,
              CASE j.status WHEN 'FAILED' THEN 1 ELSE 0 END,
              CASE j.status WHEN 'ABORTED' THEN $1 - 3 ELSE 0 END,
              j.created_at, j.updated_at, j.started_at, j.finished_at
       FROM jobs j JOIN queues q ON q.tenant_id = j.tenant_id AND q.name = ($2::text[])[array_position($3::text[], j.name)]`,
      [TASKS_PER_STAGE, STAGE_TYPES, JOB_NAMES],
    );
    await client.query('COMMIT');
    // What autovacuum would do soon after such a load: fresh statistics for the planner.
    await client.query('ANALYZE jobs, stages, queues');
    const counts = await client.query<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM jobs GROUP BY status ORDER BY status');
    return {
      jobs: count,
      stages: stages.rowCount ?? 0,
      seconds: Number(((performance.now() - started) / 1000).toFixed(2)),
      byStatus: Object.fromEntries(counts.rows.map((r) => [r.status, r.n])),
    };
  } finally {
    await client.end();
  }
}
