// Fills a development manager with demo jobs and works some of their tasks, so every dashboard page
// has something to show: node scripts/demo-data.mjs [managerUrl] (default http://127.0.0.1:8080).
// Uses only the public REST API; JOBNIK_API_KEY is sent as x-api-key when set. Not for production.
const base = (process.argv[2] ?? process.env.JOBNIK_MANAGER_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
const key = process.env.JOBNIK_API_KEY;

async function call(method, path, body) {
  const headers = { accept: 'application/json' };
  if (key) headers['x-api-key'] = key;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

const tasks = (n, extra = {}) => Array.from({ length: n }, (_, i) => ({ data: { part: i }, ...extra }));

const jobs = [
  { name: 'tile-export', priority: 'HIGH', data: { region: 'north' }, stages: [{ type: 'tile-render', tasks: tasks(12) }, { type: 'tile-upload', tasks: tasks(4) }] },
  { name: 'tile-export', priority: 'MEDIUM', data: { region: 'south' }, stages: [{ type: 'tile-render', tasks: tasks(6, { maxAttempts: 1 }) }, { type: 'tile-upload', tasks: tasks(2) }] },
  { name: 'nightly-report', priority: 'LOW', userMetadata: { owner: 'finance' }, stages: [{ type: 'report-build', tasks: tasks(3) }] },
  { name: 'nightly-report', priority: 'VERY_LOW', stages: [{ type: 'report-build', tasks: tasks(2) }] },
  { name: 'video-transcode', priority: 'VERY_HIGH', stages: [{ type: 'transcode', tasks: tasks(8) }, { type: 'thumbnail', tasks: tasks(8) }, { type: 'publish', tasks: tasks(1) }] },
];

const created = [];
for (const j of jobs) created.push(await call('POST', '/jobs', j));
console.log(`created ${created.length} jobs`);

// Work some tasks as a pretend worker: complete most, fail a few, leave some running.
async function work(stageType, max, fail = 0, leaveRunning = 0) {
  const { tasks: leased } = await call('POST', `/queues/${stageType}/dequeue`, { workerId: `demo-${stageType}`, max, waitMs: 0 });
  const running = leased.slice(0, leaveRunning);
  const failing = leased.slice(leaveRunning, leaveRunning + fail);
  const done = leased.slice(leaveRunning + fail);
  if (running.length) {
    await call('POST', `/workers/demo-${stageType}/heartbeat`, {
      stageTypes: [stageType],
      tasks: running.map((t, i) => ({ taskId: t.id, leaseToken: t.leaseToken, progress: (i + 1) / (running.length + 1), checkpoint: { step: i + 1 } })),
    });
  }
  if (failing.length) {
    await call('POST', '/tasks/fail', {
      items: failing.map((t) => ({ taskId: t.id, leaseToken: t.leaseToken, error: { message: 'tile source answered 503', code: 'UPSTREAM_UNAVAILABLE', retryable: false } })),
    });
  }
  if (done.length) await call('POST', '/tasks/complete', { items: done.map((t) => ({ taskId: t.id, leaseToken: t.leaseToken, result: { bytes: 1024 * (1 + Math.round(Math.random() * 50)) } })) });
  return leased.length;
}

await work('tile-render', 14, 1, 3);
await work('report-build', 3);
await work('transcode', 8, 0, 0);
await work('thumbnail', 5, 0, 2);
await call('POST', `/jobs/${created[3].id}/suspend`);
await call('PATCH', '/queues/publish?tenantId=default', { paused: true }).catch(() => undefined);
console.log('worked some tasks; one job suspended, queue publish paused');
