// Idempotent creation, cron schedules (across two managers, and after an outage), job types, retention.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startManager, type StartedManager } from '../src/server.js';
import { createTestDatabase, testStores, type TestDatabase, type TestManager } from '../src/testing.js';
import { api, type Api, managerWithApi, tasksOf, waitFor } from './api.js';

const quiet = { log: { level: 'silent' as const }, http: { host: '127.0.0.1', port: 0 } };

describe.each(testStores())('creation features on %s', (store) => {
  let m: TestManager;
  let a: Api;
  beforeAll(async () => ({ m, a } = await managerWithApi(store, { scheduler: { tickMs: 100 }, retention: { days: 1, intervalMs: 3_600_000 } })));
  afterAll(() => m.close());

  it('concurrent identical creates with one idempotency key make one job; a different body conflicts', async () => {
    const body = { name: 'idem', idempotencyKey: `key-${store}`, data: { n: 1 }, stages: [{ type: 'idem', tasks: tasksOf(50) }] };
    const results = await Promise.all(Array.from({ length: 10 }, () => a.post('/jobs', body)));
    const ids = new Set(results.map((r) => r.body.id));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 200)).toHaveLength(9);
    const jobs = (await a.get('/jobs?name=idem')).body.items;
    expect(jobs).toHaveLength(1);
    expect(jobs[0].summary.total).toBe(50);
    const other = await a.post('/jobs', { ...body, data: { n: 2 } });
    expect(other.status).toBe(409);
    expect(other.body.code).toBe('IDEMPOTENCY_CONFLICT');
  });

  it('applies job type defaults and validates data against its JSON Schema', async () => {
    const put = await a.raw('PUT', '/job-types/typed', {
      description: 'typed jobs',
      defaults: { priority: 'HIGH', maxAttempts: 7, backoff: { baseMs: 5 } },
      dataSchema: { type: 'object', required: ['region'], properties: { region: { type: 'string' } }, additionalProperties: false },
    });
    expect(put.status).toBe(200);
    const job = (await a.post('/jobs', { name: 'typed', data: { region: 'north' }, stages: [{ type: 'typed', tasks: tasksOf(1) }] })).body;
    expect(job.priority).toBe('HIGH');
    const task = (await a.get(`/stages/${job.stages[0].id}/tasks`)).body.items[0];
    expect(task).toMatchObject({ maxAttempts: 7, backoff: { baseMs: 5 }, priority: 'HIGH' });
    const bad = await a.post('/jobs', { name: 'typed', data: { region: 3, extra: true } });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('VALIDATION_FAILED');
    expect(bad.body.errors.map((e: any) => e.path)).toContain('/body/data/region');
    expect((await a.get('/job-types/typed')).body.defaults.priority).toBe('HIGH');
    expect((await a.get('/job-types')).body.items.map((t: any) => t.name)).toContain('typed');
    expect((await a.raw('PUT', '/job-types/broken', { dataSchema: { type: 'nonsense' } })).status).toBe(400);
    expect((await a.get('/job-types/none')).body.code).toBe('JOB_TYPE_NOT_FOUND');
  });

  it('a schedule whose template fails its job type\'s schema is refused at create and update, not on every fire', async () => {
    await a.raw('PUT', '/job-types/sched-typed', { dataSchema: { type: 'object', required: ['region'], properties: { region: { type: 'string' } } } });
    const bad = await a.post('/schedules', { name: 'sched-bad', cron: '* * * * *', jobTemplate: { name: 'sched-typed', data: { region: 7 } } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: any) => e.path)).toContain('/body/jobTemplate/data/region');
    expect((await a.get('/schedules')).body.items.map((x: any) => x.name)).not.toContain('sched-bad');
    const good = await a.post('/schedules', { name: 'sched-good', cron: '0 3 * * *', jobTemplate: { name: 'sched-typed', data: { region: 'north' } } });
    expect(good.status).toBe(201);
    const broken = await a.patch(`/schedules/${good.body.id}`, { jobTemplate: { name: 'sched-typed', data: {} } });
    expect([broken.status, broken.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect((await a.get(`/schedules/${good.body.id}`)).body.jobTemplate.data).toEqual({ region: 'north' });
  });

  it('retention deletes only finished jobs that are old enough', async () => {
    const make = async (name: string) => (await a.post('/jobs', { name, stages: [{ type: 'ret', tasks: tasksOf(3) }] })).body.id as string;
    const oldDone = await make('ret-old-done');
    const newDone = await make('ret-new-done');
    const oldOpen = await make('ret-old-open');
    const expired = await make('ret-expired');
    for (const id of [oldDone, newDone, expired]) await a.post(`/jobs/${id}/cancel`);
    await a.patch(`/jobs/${expired}`, { expiresAt: new Date(Date.now() - 1000).toISOString() });
    await m.manager.db.query(`UPDATE jobs SET finished_at = now() - interval '2 days' WHERE id = $1`, [oldDone]);
    await m.manager.db.query(`UPDATE jobs SET created_at = now() - interval '30 days' WHERE id = $1`, [oldOpen]);
    expect(await m.manager.retention.sweep()).toBe(2);
    expect((await a.get(`/jobs/${oldDone}`)).status).toBe(404);
    expect((await a.get(`/jobs/${expired}`)).status).toBe(404);
    expect((await a.get(`/jobs/${newDone}`)).status).toBe(200);
    expect((await a.get(`/jobs/${oldOpen}`)).status).toBe(200);
    const orphans = await m.manager.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM tasks WHERE job_id = ANY($1::uuid[])`, [[oldDone, expired]]);
    expect(orphans[0]!.n).toBe(0);
  });

  it('validates schedules and shows their next fire time', async () => {
    const bad = await a.post('/schedules', { name: 'bad', cron: 'every day', jobTemplate: { name: 'x' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('/body/cron');
    expect((await a.post('/schedules', { name: 'tz', cron: '0 3 * * *', timezone: 'Mars/Olympus', jobTemplate: { name: 'x' } })).status).toBe(400);
    const never = await a.post('/schedules', { name: 'never', cron: '0 0 30 2 *', jobTemplate: { name: 'x' } });
    expect([never.status, never.body.code, never.body.errors[0].path]).toEqual([400, 'VALIDATION_FAILED', '/body/cron']);
    expect(never.body.detail).toContain('never fires');
    const s = (await a.post('/schedules', { name: 'nightly', cron: '0 3 * * *', timezone: 'Asia/Jerusalem', jobTemplate: { name: 'nightly' } })).body;
    expect(new Date(s.nextFireAt).getTime()).toBeGreaterThan(Date.now());
    expect((await a.patch(`/schedules/${s.id}`, { enabled: false })).body.nextFireAt).toBeNull();
    expect((await a.get('/schedules')).body.items.map((x: any) => x.name)).toContain('nightly');
    expect((await a.del(`/schedules/${s.id}`)).status).toBe(204);
    expect((await a.get(`/schedules/${s.id}`)).body.code).toBe('SCHEDULE_NOT_FOUND');
  });

  it('lists schedules in pages by name: every schedule once, then a last page', async () => {
    for (const name of ['page-c', 'page-a', 'page-b']) await a.post('/schedules', { name, cron: '0 3 * * *', jobTemplate: { name } });
    const all = (await a.get('/schedules')).body;
    expect(all.nextCursor).toBeNull();
    const paged: any[] = [];
    let cursor: string | null = null;
    do {
      const next: any = (await a.get(`/schedules?limit=2${cursor ? `&cursor=${cursor}` : ''}`)).body;
      expect(next.items.length).toBeLessThanOrEqual(2);
      paged.push(...next.items);
      cursor = next.nextCursor;
    } while (cursor);
    expect(paged.map((x) => x.id)).toEqual(all.items.map((x: any) => x.id));
    expect(all.items.filter((x: any) => x.name.startsWith('page-')).map((x: any) => x.name)).toEqual(['page-a', 'page-b', 'page-c']);
    expect((await a.get('/schedules?limit=0')).status).toBe(400);
    expect((await a.get('/schedules?cursor=nope')).body.code).toBe('VALIDATION_FAILED');
  });

  it("a schedule shows its template's webhooks as a job does: no secret, no header value; a change keeps them for the fires", async () => {
    const hook = { url: 'http://127.0.0.1:9/hook', secret: 'whsec-scheduled', headers: { Authorization: 'Bearer receiver-token' } };
    const shown = [{ url: hook.url, events: null, headers: ['Authorization'] }];
    const created = await a.post('/schedules', { name: 'hooked', cron: '0 3 * * *', jobTemplate: { name: 'hooked', webhooks: [hook] } });
    expect(created.status).toBe(201);
    const changed = await a.patch(`/schedules/${created.body.id}`, { enabled: false });
    const listed = (await a.get('/schedules')).body.items.find((x: any) => x.id === created.body.id);
    const read = (await a.get(`/schedules/${created.body.id}`)).body;
    for (const answer of [created.body, changed.body, listed, read]) {
      expect(answer.jobTemplate.webhooks).toEqual(shown);
      expect(JSON.stringify(answer)).not.toMatch(/whsec-scheduled|receiver-token/);
    }
    const stored = await m.manager.db.query<{ t: any }>('SELECT job_template AS t FROM schedules WHERE id = $1', [created.body.id]);
    expect(stored[0]!.t.webhooks).toEqual([hook]);
  });

  it('a fire the database refuses is skipped, loudly, and the schedule and the others go on', async () => {
    // A trigger plays a job the database refuses (a constraint of the operator's, a full disk for one table…).
    await m.manager.db.exec(`
      CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'poison refused'; END $$;
      CREATE TRIGGER refuse_poison BEFORE INSERT ON jobs FOR EACH ROW WHEN (NEW.name = 'poison') EXECUTE FUNCTION refuse_poison();`);
    try {
      const poison = (await a.post('/schedules', { name: 'poison', cron: '* * * * * *', catchUp: 'all', enabled: false, jobTemplate: { name: 'poison' } })).body;
      const fine = (await a.post('/schedules', { name: 'fine', cron: '* * * * * *', catchUp: 'all', enabled: false, jobTemplate: { name: `fine-${store}` } })).body;
      // The poisoned schedule is due first, every tick: before, its failed fire rolled back the tick, and the other never fired.
      await m.manager.db.query(`UPDATE schedules SET enabled = true, next_fire_at = date_trunc('second', now()) - interval '2 seconds' WHERE id = $1`, [poison.id]);
      await m.manager.db.query(`UPDATE schedules SET enabled = true, next_fire_at = date_trunc('second', now()) WHERE id = $1`, [fine.id]);
      await waitFor(async () => (await a.get(`/jobs?name=fine-${store}`)).body.items.length, (n) => n >= 2, { timeoutMs: 10_000 });
      const skipped = await waitFor(async () => (await a.get(`/schedules/${poison.id}`)).body, (x) => x.lastFireAt !== null && Date.parse(x.nextFireAt) > Date.now() - 1000);
      expect(skipped.enabled).toBe(true);
      expect((await a.get('/jobs?name=poison')).body.items).toEqual([]);
      for (const id of [poison.id, fine.id]) await a.patch(`/schedules/${id}`, { enabled: false });
    } finally {
      await m.manager.db.exec('DROP TRIGGER refuse_poison ON jobs; DROP FUNCTION refuse_poison();');
    }
  });

  it('after a simulated 10 s outage, catch-up all creates the missed jobs, latest one, none none', async () => {
    const created: Record<string, string> = {};
    for (const policy of ['all', 'latest', 'none']) {
      const s = (await a.post('/schedules', { name: `outage-${policy}`, cron: '* * * * * *', catchUp: policy, enabled: false, jobTemplate: { name: `outage-${store}-${policy}` } })).body;
      created[policy] = s.id;
    }
    // The schedules were due 10 s ago and nobody fired them: that is what an outage looks like to the scheduler.
    const backdated = await m.manager.db.query<{ at: Date }>(
      `UPDATE schedules SET enabled = true, next_fire_at = date_trunc('second', now()) - interval '10 seconds' WHERE id = ANY($1::uuid[]) RETURNING now() AS at`,
      [Object.values(created)],
    );
    const outageEnd = new Date(backdated[0]!.at).getTime();
    await waitFor(async () => (await a.get(`/schedules/${created.all}`)).body.lastFireAt, (v) => v !== null, { timeoutMs: 5000 });
    await waitFor(async () => (await a.get(`/schedules/${created.latest}`)).body.nextFireAt, (v) => Date.parse(v) > outageEnd, { timeoutMs: 5000 });
    await waitFor(async () => (await a.get(`/schedules/${created.none}`)).body.nextFireAt, (v) => Date.parse(v) > outageEnd, { timeoutMs: 5000 });
    for (const id of Object.values(created)) await a.patch(`/schedules/${id}`, { enabled: false });
    const missed = async (policy: string) => {
      const jobs = (await a.get(`/jobs?name=outage-${store}-${policy}&limit=100`)).body.items;
      return jobs.map((j: any) => Date.parse(j.idempotencyKey.split(':').slice(2).join(':'))).filter((at: number) => at < outageEnd - 1000);
    };
    expect((await missed('all')).length).toBeGreaterThanOrEqual(9);
    expect(new Set(await missed('all')).size).toBe((await missed('all')).length);
    expect((await missed('latest')).length).toBeLessThanOrEqual(1);
    expect(await missed('none')).toEqual([]);
  });
});

describe.runIf(testStores().includes('postgres'))('a 1-second schedule on two managers sharing one database', () => {
  let database: TestDatabase;
  let one: StartedManager;
  let two: StartedManager;
  beforeAll(async () => {
    database = await createTestDatabase();
    const config = { ...quiet, database: { url: database.url }, scheduler: { tickMs: 100 } };
    one = await startManager(config);
    two = await startManager(config);
  });
  afterAll(async () => {
    await one.close();
    await two.close();
    await database.drop();
  });

  it('fires once per second, never twice', async () => {
    const s = (await api(one.url).post('/schedules', { name: 'tick', cron: '* * * * * *', catchUp: 'none', jobTemplate: { name: 'ticked', stages: [{ type: 'tick', tasks: [{}] }] } })).body;
    const started = Date.now();
    const jobs = await waitFor(async () => (await api(two.url).get('/jobs?name=ticked&limit=100')).body.items, (items: any[]) => items.length >= 4, { timeoutMs: 10_000, everyMs: 100 });
    await api(one.url).patch(`/schedules/${s.id}`, { enabled: false });
    const elapsed = (Date.now() - started) / 1000;
    const all = (await api(one.url).get('/jobs?name=ticked&limit=100&sort=createdAt')).body.items;
    const fireTimes = all.map((j: any) => Date.parse(j.idempotencyKey.split(':').slice(2).join(':')));
    expect(new Set(fireTimes).size).toBe(fireTimes.length);
    for (let i = 1; i < fireTimes.length; i++) expect(fireTimes[i] - fireTimes[i - 1]).toBe(1000);
    expect(all.length).toBeLessThanOrEqual(Math.ceil(elapsed) + 1);
    expect(jobs.length).toBeGreaterThanOrEqual(4);
  });
});
