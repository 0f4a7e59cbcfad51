// Throughput under a held xmin horizon: W worker processes drain a steady stream of tasks created through the
// manager (kept between `backlog` and `backlog + chunk` pending), while one session of the same database sits
// idle in a transaction that took an xid for `hold` seconds — what a forgotten psql session, a long report or
// a stuck replication slot does in production. Completions are bucketed into 10 s windows labelled before /
// hold / after; the figure is the mean rate during the hold over the mean before, and the worst hold window
// over the same mean (targets of issue 19: ≥ 0.70 and ≥ 0.5).
import pg from 'pg';
import { COMPLETE, DEQUEUE, SWEEP } from '@jobnik/manager/statements';
import { createDatabase } from './database.js';
import { isMain } from './main.js';
import { startManagerProcess } from './manager-process.js';
import { benchProducer } from './producer.js';
import { note, report, round } from './report.js';
import { settings, targets } from './settings.js';
import { WorkerFleet } from './worker-fleet.js';

const STAGE = 'xmin';
const WINDOW_MS = 10_000;

export type Phase = 'warmup' | 'before' | 'hold' | 'after';

export interface XminWindow {
  phase: Phase;
  /** Seconds since the measured part began (start of `before`). */
  startS: number;
  tasksPerSecond: number;
}

/** One timed `GET /metrics`, paced as Prometheus scrapes (every 15 s by default). */
export interface XminScrape {
  phase: Phase;
  startS: number;
  seconds: number;
  /** Whether the scrape carried the queue depths (past 5 s of reading them the manager leaves them out). */
  depthGauges: boolean;
}

const SCRAPE_EVERY_MS = 15_000;

export interface XminResult {
  windows: XminWindow[];
  /** The manager's /metrics timed through the run: what an operator's Prometheus (and KEDA behind it) gets. */
  scrapes: XminScrape[];
  /** Dead and live row versions of tasks, and its size with indexes, at the end of the hold. */
  atHoldEnd: { deadTuples: number; liveTuples: number; tasksTableMb: number; managerReports: HorizonGauges };
}

/** What the manager's /metrics said about the horizon (jobnik_db_xmin_horizon_age_*), as an operator's Prometheus would see it. */
export interface HorizonGauges {
  ageSeconds: number | null;
  ageTransactions: number | null;
}

async function horizonGauges(managerUrl: string): Promise<HorizonGauges> {
  const text = await (await fetch(`${managerUrl}/metrics`)).text();
  const gauge = (name: string) => {
    const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
    return m ? Number(m[1]) : null;
  };
  return { ageSeconds: gauge('jobnik_db_xmin_horizon_age_seconds'), ageTransactions: gauge('jobnik_db_xmin_horizon_age_transactions') };
}

/** Window rates of one run: warm-up, then before / hold / after, each a whole number of windows. */
export async function runXminHold(): Promise<XminResult> {
  const { warmupS, beforeS, holdS, afterS, backlog, chunk, workers } = settings.xmin;
  const database = await createDatabase();
  const manager = await startManagerProcess({ store: 'postgres', databaseUrl: database.url, poolSize: settings.managerPoolSize });
  const producer = benchProducer(manager.url);
  const holder = new pg.Client({ connectionString: database.url });
  await holder.connect();
  let fleet: WorkerFleet | undefined;
  let created = 0;
  let stopProducing = false;
  let scraping = true;
  let producerError: unknown;
  try {
    fleet = await WorkerFleet.start(new URL('./jobnik-worker-child.ts', import.meta.url), workers, { BENCH_MANAGER_URL: manager.url, BENCH_STAGE_TYPE: STAGE });
    const f = fleet;
    // The stream: a new job of `chunk` tasks whenever fewer than `backlog` are left.
    const producing = (async () => {
      while (!stopProducing) {
        if (created - f.completions.length < backlog) {
          const tasks = Array.from({ length: chunk }, (_, i) => ({ data: { i: created + i } }));
          await producer.createJob('xmin-stream', { stages: [{ type: STAGE, tasks }] });
          created += chunk;
        } else {
          await f.waitFor(created - backlog + 1, 600_000);
        }
      }
    })().catch((err: unknown) => {
      producerError = err;
    });

    const t0 = Date.now();
    const until = async (ms: number) => {
      // Waits on the clock only to mark phase boundaries of the measurement, never to synchronize with the system.
      while (Date.now() - t0 < ms && producerError === undefined) await new Promise((r) => setTimeout(r, Math.min(250, ms - (Date.now() - t0))));
      if (producerError !== undefined) throw producerError;
    };
    const phaseAt = (s: number): Phase => (s < warmupS ? 'warmup' : s < warmupS + beforeS ? 'before' : s < warmupS + beforeS + holdS ? 'hold' : 'after');
    // The scrapes: one every 15 s from the start (the clock paces the samples, as Prometheus' does).
    const scrapes: XminScrape[] = [];
    const scraper = (async () => {
      while (scraping) {
        const at = Date.now();
        // A scrape that fails counts as one without the depths (Prometheus would record the target down).
        const text = await fetch(`${manager.url}/metrics`, { signal: AbortSignal.timeout(SCRAPE_EVERY_MS) }).then((res) => res.text(), () => '');
        const s = (at - t0) / 1000;
        scrapes.push({ phase: phaseAt(s), startS: round(s - warmupS), seconds: round((Date.now() - at) / 1000, 2), depthGauges: /^jobnik_queue_depth\{/m.test(text) });
        while (scraping && Date.now() < at + SCRAPE_EVERY_MS) await new Promise((r) => setTimeout(r, Math.min(250, at + SCRAPE_EVERY_MS - Date.now())));
      }
    })();
    const start = warmupS * 1000;
    await until(start);
    note(`xmin: before (${beforeS} s)`);
    await until(start + beforeS * 1000);
    note(`xmin: holding the horizon (${holdS} s)`);
    await holder.query('BEGIN');
    await holder.query('SELECT txid_current()');
    await until(start + (beforeS + holdS) * 1000);
    const atHoldEnd = { ...(await tableState(database.url)), managerReports: await horizonGauges(manager.url) };
    // BENCH_XMIN_EXPLAIN=1: where the time goes at the end of the hold (plans on stderr, each rolled back).
    if (process.env.BENCH_XMIN_EXPLAIN) await explainHot(database.url);
    await holder.query('COMMIT');
    note(`xmin: after (${afterS} s)`);
    await until(start + (beforeS + holdS + afterS) * 1000);
    stopProducing = true;
    scraping = false;
    const completions = [...f.completions];
    await producing;
    await scraper;

    const windows: XminWindow[] = [];
    const total = warmupS + beforeS + holdS + afterS;
    for (let s = 0; s < total; s += WINDOW_MS / 1000) {
      const from = t0 + s * 1000;
      const to = from + WINDOW_MS;
      const n = completions.filter((at) => at >= from && at < to).length;
      windows.push({ phase: phaseAt(s), startS: s - warmupS, tasksPerSecond: n / (WINDOW_MS / 1000) });
    }
    return { windows, scrapes, atHoldEnd };
  } finally {
    stopProducing = true;
    scraping = false;
    await holder.end().catch(() => undefined);
    await fleet?.stop();
    await producer.close();
    await manager.stop();
    await database.drop();
  }
}

async function explainHot(url: string): Promise<void> {
  const c = new pg.Client({ connectionString: url, options: '-c jit=off' });
  await c.connect();
  const explain = async (label: string, text: string, params: unknown[]) => {
    await c.query('BEGIN');
    try {
      const r = await c.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT TEXT) ${text}`, params);
      note(`xmin explain: ${label}\n${r.rows.map((row: Record<string, string>) => row['QUERY PLAN']).join('\n')}`);
    } finally {
      await c.query('ROLLBACK');
    }
  };
  try {
    await explain('dequeue of 200 from the start', DEQUEUE.text, [[STAGE], null, 'explainer', 200, 30_000, true, '[]', false]);
    // As the manager runs it: from the stream's mark (the last task leased).
    const marks = (
      await c.query<{ q: number; p: number; ra: string; s: string }>(
        `SELECT queue_id AS q, priority AS p, to_char(run_after AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS ra, seq::text AS s
         FROM tasks WHERE started_at IS NOT NULL ORDER BY started_at DESC, run_after DESC, seq DESC LIMIT 1`,
      )
    ).rows;
    await explain('dequeue of 200 from the mark', DEQUEUE.text, [[STAGE], null, 'explainer', 200, 30_000, true, JSON.stringify(marks), false]);
    const leased = (await c.query<{ task_id: string; lease_token: string }>(`SELECT id AS task_id, lease_token FROM tasks WHERE status = 'IN_PROGRESS' LIMIT 200`)).rows;
    const items = JSON.stringify(leased.map((l) => ({ ...l, result: null })));
    await explain(`complete of ${leased.length}`, COMPLETE.text, [items, null, true, false]);
    // The manager prepares its statements: after five runs PostgreSQL may settle on the generic plan.
    await c.query('BEGIN');
    try {
      await c.query(`PREPARE xmin_complete AS ${COMPLETE.text}`);
      await c.query('SET LOCAL plan_cache_mode = force_generic_plan');
      const r = await c.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT TEXT) EXECUTE xmin_complete(${c.escapeLiteral(items)}, NULL, true, false)`);
      note(`xmin explain: complete of ${leased.length}, generic plan\n${r.rows.map((row: Record<string, string>) => row['QUERY PLAN']).join('\n')}`);
    } finally {
      await c.query('ROLLBACK');
    }
    await explain('sweep from a watermark 15 s back', SWEEP.text, [1000, true, new Date(Date.now() - 15_000)]);
  } finally {
    await c.end();
  }
}

async function tableState(url: string): Promise<Omit<XminResult['atHoldEnd'], 'managerReports'>> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query<{ dead: string; live: string; size: string }>(
      `SELECT n_dead_tup::text AS dead, n_live_tup::text AS live, pg_total_relation_size('tasks')::text AS size FROM pg_stat_user_tables WHERE relname = 'tasks'`,
    );
    const row = r.rows[0]!;
    return { deadTuples: Number(row.dead), liveTuples: Number(row.live), tasksTableMb: round(Number(row.size) / 2 ** 20) };
  } finally {
    await c.end();
  }
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

export function reportXminHold(r: XminResult, run: number): void {
  const { beforeS, holdS, afterS, backlog, workers } = settings.xmin;
  for (const w of r.windows) if (w.phase !== 'warmup') report({ figure: 'xmin-hold-window', value: Math.round(w.tasksPerSecond), unit: 'tasks/s', run, phase: w.phase, startS: w.startS });
  const of = (p: Phase) => r.windows.filter((w) => w.phase === p).map((w) => w.tasksPerSecond);
  const before = mean(of('before'));
  const hold = of('hold');
  const common = { run, summary: true, workerProcesses: workers, pendingKept: backlog, seconds: { before: beforeS, hold: holdS, after: afterS } };
  report({ figure: 'xmin-hold-ratio', value: round(mean(hold) / before, 2), unit: 'hold/before', target: targets.xminHoldRatio, ...common,
    meanBefore: Math.round(before), meanHold: Math.round(mean(hold)), meanAfter: Math.round(mean(of('after'))), tasksAtHoldEnd: r.atHoldEnd });
  report({ figure: 'xmin-hold-worst-window', value: round(Math.min(...hold) / before, 2), unit: 'window/before', target: targets.xminHoldWorstWindow, ...common });
  for (const x of r.scrapes) if (x.phase !== 'warmup') report({ figure: 'xmin-hold-scrape-sample', value: x.seconds, unit: 's', run, phase: x.phase, startS: x.startS, depthGauges: x.depthGauges });
  const slowest = (p: Phase) => Math.max(0, ...r.scrapes.filter((x) => x.phase === p).map((x) => x.seconds));
  report({ figure: 'xmin-hold-scrape', value: slowest('hold'), unit: 's (slowest /metrics in the hold)', ...common, slowestBefore: slowest('before'),
    slowestAfter: slowest('after'), holdScrapesWithoutDepths: r.scrapes.filter((x) => x.phase === 'hold' && !x.depthGauges).length });
}

if (isMain(import.meta.url)) reportXminHold(await runXminHold(), 1);
