// The SDK's own cost per task: one WorkerClient process (noop handler, the bench's worker settings) against a stub
// manager in this process that answers every dequeue at once with as many tasks as asked and every ack with "ok".
// No database and no real manager share the CPU, so the worker's CPU per task is read alone — the figure to watch when
// changing the worker's hot path (in the e2e runs it is one of three parties on two cores and drifts with them).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isMain } from './main.js';
import { cpuSeconds } from './proc-sampler.js';
import { median, note, report, round } from './report.js';
import { settings } from './settings.js';
import { WorkerFleet } from './worker-fleet.js';

const STAGE_TYPE = 'overhead';
const JOB_ID = '00000000-0000-4000-8000-000000000001';
const STAGE_ID = '00000000-0000-4000-8000-000000000002';
const JOB = JSON.stringify({ id: JOB_ID, tenantId: 'default', name: 'overhead', priority: 'MEDIUM', data: {}, userMetadata: {}, traceparent: null, tracestate: null });
const STAGE = JSON.stringify({ id: STAGE_ID, jobId: JOB_ID, order: 0, type: STAGE_TYPE, data: {}, userMetadata: {} });

const num = (name: string, fallback: number): number => {
  const v = process.env[name];
  return v === undefined || v === '' ? fallback : Number(v);
};
export const overheadSettings = {
  tasks: num('BENCH_OVERHEAD_TASKS', settings.quick ? 50_000 : 200_000),
  warmup: num('BENCH_OVERHEAD_WARMUP', 20_000),
  repeat: num('BENCH_OVERHEAD_REPEAT', settings.quick ? 1 : 3),
};

const uuid = (n: number, kind: string): string => `${kind}${n.toString(16).padStart(12, '0')}`;

/** A stub of the manager's worker routes: every dequeue is answered at once, every ack applies. */
function stubManager(): Promise<{ url: string; close: () => Promise<void> }> {
  let next = 0;
  const read = async (req: IncomingMessage): Promise<{ max?: number; items?: { taskId: string }[]; tasks?: { taskId: string }[] }> => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
  };
  const answer = (res: ServerResponse, body: string) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
  const server = createServer((req, res) => {
    void read(req).then((body) => {
      const url = req.url ?? '';
      if (url === '/dequeue') {
        const expires = new Date(Date.now() + 60_000).toISOString();
        const tasks: string[] = [];
        for (let i = 0; i < (body.max ?? 1); i++) {
          const n = ++next;
          tasks.push(
            `{"id":"${uuid(n, '10000000-0000-4000-8000-')}","jobId":"${JOB_ID}","stageId":"${STAGE_ID}","stageType":"${STAGE_TYPE}","priority":"MEDIUM","data":{"i":${n}},"userMetadata":{},"attempts":1,"maxAttempts":3,"timeoutMs":null,"checkpoint":null,"leaseToken":"${uuid(n, '20000000-0000-4000-8000-')}","leaseExpiresAt":"${expires}"}`,
          );
        }
        answer(res, `{"tasks":[${tasks.join(',')}],"jobs":[${JOB}],"stages":[${STAGE}],"heldMs":0,"leaseMs":60000}`);
      } else if (url === '/tasks/complete' || url === '/tasks/fail' || url === '/tasks/release') {
        answer(res, JSON.stringify({ items: (body.items ?? []).map((i) => ({ taskId: i.taskId, ok: true, status: 'COMPLETED' })) }));
      } else if (url.endsWith('/heartbeat')) {
        answer(res, JSON.stringify({ tasks: (body.tasks ?? []).map((t) => ({ taskId: t.taskId, directive: 'continue', leaseExpiresAt: null })) }));
      } else if (url.endsWith('/directives')) {
        // The long-poll for cancels: nothing to say; answered after a while, as the manager would.
        setTimeout(() => answer(res, '{"tasks":[]}'), 1_000).unref();
      } else {
        res.writeHead(404).end();
      }
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () => {
          server.closeAllConnections();
          return new Promise((r) => server.close(() => r()));
        },
      });
    });
  });
}

export interface OverheadRun {
  /** The worker's CPU (user + system) per task while it ran `tasks` tasks, in microseconds. */
  cpuUsPerTask: number;
  tasksPerSecond: number;
}

export async function runWorkerOverhead(): Promise<OverheadRun> {
  const stub = await stubManager();
  const fleet = await WorkerFleet.start(new URL('./jobnik-worker-child.ts', import.meta.url), 1, { BENCH_MANAGER_URL: stub.url, BENCH_STAGE_TYPE: STAGE_TYPE });
  try {
    const { warmup, tasks } = overheadSettings;
    await fleet.waitFor(warmup, 120_000);
    const pid = fleet.pids[0]!;
    const cpu0 = cpuSeconds(pid);
    const t0 = performance.now();
    await fleet.waitFor(warmup + tasks, 300_000);
    const seconds = (performance.now() - t0) / 1000;
    return { cpuUsPerTask: ((cpuSeconds(pid) - cpu0) * 1e6) / tasks, tasksPerSecond: tasks / seconds };
  } finally {
    await fleet.stop();
    await stub.close();
  }
}

export function reportWorkerOverheadSample(r: OverheadRun, run: number): void {
  report({ figure: 'worker-cpu-per-task-sample', value: round(r.cpuUsPerTask, 2), unit: 'µs', run, tasksPerSecond: Math.round(r.tasksPerSecond) });
}

/** The summary line: the median over the runs, with their range. */
export function reportWorkerOverhead(runs: OverheadRun[]): void {
  const us = runs.map((r) => r.cpuUsPerTask);
  report({
    figure: 'worker-cpu-per-task',
    value: round(median(us), 2),
    unit: 'µs',
    summary: true,
    range: [round(Math.min(...us), 2), round(Math.max(...us), 2)],
    tasksPerSecond: Math.round(median(runs.map((r) => r.tasksPerSecond))),
    runs: runs.length,
    tasks: overheadSettings.tasks,
    worker: settings.worker,
  });
}

export async function runWorkerOverheadRuns(): Promise<OverheadRun[]> {
  const runs: OverheadRun[] = [];
  for (let run = 1; run <= overheadSettings.repeat; run++) {
    note(`worker overhead (the SDK against a stub manager) run ${run}`);
    const r = await runWorkerOverhead();
    reportWorkerOverheadSample(r, run);
    runs.push(r);
  }
  return runs;
}

if (isMain(import.meta.url)) reportWorkerOverhead(await runWorkerOverheadRuns());
