// scratch: per-statement backend CPU for dequeue+complete
import pg from 'pg';
import { readFileSync } from 'node:fs';
import { createDatabase } from './database.js';
import { startManagerProcess } from './manager-process.js';
import { benchProducer } from './producer.js';
import { seedPending } from './seed.js';
// @ts-ignore
import { dequeueTasks } from '../../../apps/manager/dist/store/dequeue.js';
// @ts-ignore
import { completeTasks } from '../../../apps/manager/dist/store/acks.js';

const cpu = (pid: number) => { const s = readFileSync(`/proc/${pid}/stat`, 'utf8'); const f = s.slice(s.lastIndexOf(')') + 2).split(' '); return (Number(f[11]) + Number(f[12])) * 10; };
const db = await createDatabase();
const m = await startManagerProcess({ store: 'postgres', databaseUrl: db.url });
const p = benchProducer(m.url);
await seedPending(db.url, p, 'x', Number(process.env.P ?? 100000));
await p.close(); await m.stop();
const c = new pg.Client({ connectionString: db.url, options: '-c jit=off' }); await c.connect();
const pid = (await c.query('select pg_backend_pid() p')).rows[0].p;
const q = { query: async (sql: any, params: any) => (await c.query(typeof sql === 'string' ? { text: sql, values: params } : { name: sql.name, text: sql.text, values: params })).rows, exec: async () => {} };
const B = Number(process.env.B ?? 500); const R = Number(process.env.R ?? 40);
let dq = 0, cp = 0, dqW = 0, cpW = 0, n = 0;
for (let r = 0; r < R; r++) {
  let c0 = cpu(pid), t0 = performance.now();
  const d = await dequeueTasks(q, { stageTypes: ['x'], tenantId: null, workerId: 'w', max: B, leaseMs: 30000, cappedLocked: false });
  let c1 = cpu(pid), t1 = performance.now();
  await c.query('BEGIN');
  await completeTasks(q, null, d.tasks.map((t: any) => ({ task_id: t.id, lease_token: t.leaseToken, result: null })));
  await c.query('COMMIT');
  let c2 = cpu(pid), t2 = performance.now();
  if (r >= 5) { dq += c1 - c0; cp += c2 - c1; dqW += t1 - t0; cpW += t2 - t1; n += d.tasks.length; }
}
console.log(JSON.stringify({ B, tasks: n, dequeueCpuUsPerTask: (dq * 1000 / n).toFixed(1), completeCpuUsPerTask: (cp * 1000 / n).toFixed(1), dequeueWallUs: (dqW * 1000 / n).toFixed(1), completeWallUs: (cpW * 1000 / n).toFixed(1) }));
await c.end(); await db.drop();
