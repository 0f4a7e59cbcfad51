// A fingerprint of everything a request could change: row counts and checksums of the mutable columns.
import type { TestManager } from '@jobnik/manager/testing';

export type DbState = Record<string, string | number>;

const CHECKSUMS: Record<string, string> = {
  taskStatuses: `SELECT md5(coalesce(string_agg(id::text || ':' || status || ':' || attempts || ':' || coalesce(lease_token::text, '-') || ':' || updated_at::text, ',' ORDER BY id), '')) AS v FROM tasks`,
  jobs: `SELECT md5(coalesce(string_agg(id::text || ':' || status || ':' || priority || ':' || user_metadata::text || ':' || coalesce(expires_at::text, '-') || ':' || updated_at::text, ',' ORDER BY id), '')) AS v FROM jobs`,
  stages: `SELECT md5(coalesce(string_agg(id::text || ':' || status || ':' || updated_at::text, ',' ORDER BY id), '')) AS v FROM stages`,
  schedules: `SELECT md5(coalesce(string_agg(id::text || ':' || cron || ':' || timezone || ':' || enabled || ':' || job_template::text || ':' || updated_at::text, ',' ORDER BY id), '')) AS v FROM schedules`,
  jobTypes: `SELECT md5(coalesce(string_agg(tenant_id || ':' || name || ':' || defaults::text || ':' || coalesce(data_schema::text, '-') || ':' || updated_at::text, ',' ORDER BY tenant_id, name), '')) AS v FROM job_types`,
  apiKeys: `SELECT md5(coalesce(string_agg(id::text || ':' || coalesce(revoked_at::text, '-'), ',' ORDER BY id), '')) AS v FROM api_keys`,
  queues: `SELECT md5(coalesce(string_agg(id::text || ':' || paused || ':' || coalesce(max_in_flight::text, '-'), ',' ORDER BY id), '')) AS v FROM queues`,
};

const COUNTS = `SELECT
  (SELECT count(*) FROM jobs)::int AS jobs,
  (SELECT count(*) FROM stages)::int AS stages,
  (SELECT count(*) FROM tasks)::int AS tasks,
  (SELECT count(*) FROM schedules)::int AS schedules,
  (SELECT count(*) FROM job_types)::int AS job_types,
  (SELECT count(*) FROM api_keys)::int AS api_keys,
  (SELECT count(*) FROM webhook_events)::int AS webhook_events`;

export async function dbState(m: TestManager): Promise<DbState> {
  const db = m.manager.db;
  const [counts] = await db.query<Record<string, number>>(COUNTS);
  const state: DbState = { ...counts };
  for (const [k, sql] of Object.entries(CHECKSUMS)) state[k] = (await db.query<{ v: string }>(sql))[0]!.v;
  return state;
}
