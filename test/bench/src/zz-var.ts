import pg from 'pg';
import { readFileSync } from 'node:fs';
import { createDatabase } from './database.js';
import { startManagerProcess } from './manager-process.js';
import { benchProducer } from './producer.js';
import { seedPending } from './seed.js';
import { DEQUEUE } from '@jobnik/manager/statements';
const cpu = (pid: number) => { const s = readFileSync(`/proc/${pid}/stat`, 'utf8'); const f = s.slice(s.lastIndexOf(')') + 2).split(' '); return (Number(f[11]) + Number(f[12])) * 10; };
const db = await createDatabase();
const m = await startManagerProcess({ store: 'postgres', databaseUrl: db.url });
const p = benchProducer(m.url);
await seedPending(db.url, p, 'x', 200000);
await p.close(); await m.stop();
const c = new pg.Client({ connectionString: db.url, options: '-c jit=off' }); await c.connect();
const pid = (await c.query('select pg_backend_pid() p')).rows[0].p;
const tasksJson = DEQUEUE.text.slice(DEQUEUE.text.indexOf('(SELECT json_agg(json_build_object(\n        \'id\', l.id'), DEQUEUE.text.indexOf(' AS tasks,'));
const variants: Record<string, string> = {
  asIs: DEQUEUE.text,
  noSkipLocked: DEQUEUE.text.replace('FOR UPDATE SKIP LOCKED', ''),
  noTaskJson: DEQUEUE.text.replace(tasksJson, '(SELECT json_agg(l.id) FROM leased l)'),
  noRollup: DEQUEUE.text.replace('(SELECT count(*) FROM rollup)::int + ', ''),
};
const B = 500;
const res: Record<string, number[]> = {};
for (let round = 0; round < 3; round++) for (const [name, text] of Object.entries(variants)) {
  let used = 0, n = 0;
  for (let r = 0; r < 12; r++) {
    await c.query('BEGIN');
    const c0 = cpu(pid);
    const out = await c.query({ name: 'v_' + name, text, values: [['x'], null, 'w', B, false, 30000] });
    used += cpu(pid) - c0; n += B;
    await c.query('ROLLBACK');
  }
  (res[name] ??= []).push(Math.round(used * 1000 / n));
}
console.log(JSON.stringify(res));
await c.end(); await db.drop();
