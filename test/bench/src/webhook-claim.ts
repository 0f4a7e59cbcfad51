// The webhook dispatcher's claim against a backlog of due events of one endpoint that is at its cap (a receiver that
// is down while jobs keep finishing): EXPLAIN ANALYZE of the statement exactly as the manager prepares it
// (`@jobnik/manager/statements`), in a rolled-back transaction, best of 5, for each backlog size. The dispatcher
// claims again whenever a delivery ends with its slots full, so this time is paid per delivery while such a backlog
// lasts. Then as many endpoints again as events (a callback URL per job, `spread`): more than the claim walks one by
// one, so it ranks every due event. Diagnostic, not in `pnpm bench`: no target.
import pg from 'pg';
import { CLAIM_WALK_ENDPOINTS, WEBHOOK_CLAIM } from '@jobnik/manager/statements';
import { createDatabase } from './database.js';
import { isMain } from './main.js';
import { startManagerProcess } from './manager-process.js';
import { note, report, round } from './report.js';
import { settings } from './settings.js';

const DEAD = 'http://dead.example/hook';

/** One claim under EXPLAIN ANALYZE, rolled back, best of 5: its time and how many events it handed out. */
async function explainClaim(c: pg.Client): Promise<{ ms: number; claimed: number }> {
  let best = { ms: Infinity, claimed: 0 };
  for (let i = 0; i < 5; i++) {
    await c.query('BEGIN');
    // As the dispatcher claims with 50 slots, 4 of them on the dead endpoint (its cap) and so on its tenant.
    const r = await c.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${WEBHOOK_CLAIM.text}`, [46, 10_000, [`t1 ${DEAD}`], [4], 4, ['t1'], 25, [4], CLAIM_WALK_ENDPOINTS]);
    await c.query('ROLLBACK');
    const plan = (r.rows[0] as { 'QUERY PLAN': [{ 'Execution Time': number; Plan: { 'Actual Rows': number } }] })['QUERY PLAN'][0];
    if (plan['Execution Time'] < best.ms) best = { ms: plan['Execution Time'], claimed: plan.Plan['Actual Rows'] };
  }
  return best;
}

/** Adds `n` due events of tenant t1 to the dead endpoint, each with a job snapshot of ~1 KB as the outbox writes. */
async function addDueEvents(c: pg.Client, n: number): Promise<void> {
  await c.query(
    `INSERT INTO webhook_events (event, url, payload, next_attempt_at)
     SELECT 'job.completed', $2, jsonb_build_object('event', 'job.completed', 'jobId', gen_random_uuid(),
       'job', jsonb_build_object('tenantId', 't1', 'name', 'bench', 'status', 'COMPLETED', 'userMetadata', jsonb_build_object('pad', repeat('x', 600)))),
       now() - interval '1 minute' * random()
     FROM generate_series(1, $1::int)`,
    [n, DEAD],
  );
}

export async function runWebhookClaim(sizes: number[]): Promise<void> {
  const database = await createDatabase();
  // The manager only migrates the database: stopped before any event exists, so no dispatcher claims them.
  const manager = await startManagerProcess({ store: 'postgres', databaseUrl: database.url });
  await manager.stop();
  const c = new pg.Client({ connectionString: database.url, options: '-c jit=off' });
  await c.connect();
  try {
    // Five healthy endpoints of another tenant, one due event each: what a fair claim must still find.
    await c.query(
      `INSERT INTO webhook_events (event, url, payload) SELECT 'job.completed', 'http://ok' || g || '.example/hook', jsonb_build_object('job', jsonb_build_object('tenantId', 't2')) FROM generate_series(1, 5) g`,
    );
    let total = 0;
    for (const size of [...sizes].sort((a, b) => a - b)) {
      await addDueEvents(c, size - total);
      total = size;
      await c.query('VACUUM ANALYZE webhook_events');
      const { ms: best, claimed } = await explainClaim(c);
      report({ figure: 'webhook-claim-ms', value: round(best, 1), unit: 'ms', dueEvents: size + 5, deadEndpointEvents: size, claimed });
    }
    // The other shape: as many endpoints as events (a callback URL per job), more than the claim walks.
    const spread = settings.webhookClaim.spread;
    await c.query(
      `INSERT INTO webhook_events (event, url, payload) SELECT 'job.completed', 'http://callbacks.example/job/' || g, jsonb_build_object('job', jsonb_build_object('tenantId', 't3')) FROM generate_series(1, $1::int) g`,
      [spread],
    );
    await c.query('VACUUM ANALYZE webhook_events');
    const { ms, claimed } = await explainClaim(c);
    report({ figure: 'webhook-claim-ms', value: round(ms, 1), unit: 'ms', dueEvents: total + 5 + spread, deadEndpointEvents: total, endpoints: spread + 6, claimed });
  } finally {
    await c.end();
    await database.drop();
  }
}

if (isMain(import.meta.url)) {
  const sizes = settings.webhookClaim.due;
  note(`webhook claim with ${sizes.join(', ')} due events of one endpoint at its cap`);
  await runWebhookClaim(sizes);
}
