import { PGlite } from '@electric-sql/pglite';
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
const m = () => { const u = process.memoryUsage(); return `rss ${Math.round(u.rss/1e6)} ext ${Math.round(u.external/1e6)} ab ${Math.round(u.arrayBuffers/1e6)}`; };
const dir = process.env.DIR;
console.log('before', m());
if (!existsSync(dir + '/PG_VERSION')) {
  const w = new Worker(`const { PGlite } = await import('@electric-sql/pglite'); const { workerData } = await import('node:worker_threads'); const pg = await PGlite.create(workerData); await pg.close();`, { eval: true, workerData: dir, type: 'module' });
  await new Promise((res, rej) => { w.on('exit', res); w.on('error', rej); });
  console.log('after worker initdb', m());
}
const pg = await PGlite.create(dir, process.env.CONF ? { postgresqlconf: process.env.CONF.split(';') } : {});
console.log('after create', m());
await pg.query('select 1');
global.gc?.(); console.log('after gc', m());
