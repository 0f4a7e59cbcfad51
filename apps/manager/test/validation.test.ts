// Bad input gets a clear 4xx problem+json with a stable code and the offending path, and writes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestManager, testStores, type TestManager } from '../src/testing.js';
import { api, tasksOf, type Api } from './api.js';

const UUID = '0190f0e0-0000-7000-8000-000000000000';
/** A cursor of these values, made as the manager makes its own (base64url of the JSON array). */
const cursorOf = (values: unknown[]) => Buffer.from(JSON.stringify(values)).toString('base64url');

describe.each(testStores())('bad input on %s', (store) => {
  let m: TestManager;
  let a: Api;
  let stageId: string;
  beforeAll(async () => {
    m = await startTestManager({ store, config: { http: { maxTasksPerRequest: 100, bodyLimitBytes: 200_000, maxJsonDepth: 8 } } });
    a = api(m.url);
    stageId = (await a.post('/jobs', { name: 'base', stages: [{ type: 'v-a', tasks: tasksOf(1) }] })).body.stages[0].id;
  });
  afterAll(() => m.close());

  const rowCounts = async () => {
    const rows = await m.manager.db.query<{ j: number; s: number; t: number }>(
      'SELECT (SELECT count(*) FROM jobs)::int AS j, (SELECT count(*) FROM stages)::int AS s, (SELECT count(*) FROM tasks)::int AS t',
    );
    return rows[0];
  };

  const cases: { name: string; method: string; path: () => string; body?: unknown; headers?: Record<string, string>; status: number; code: string; errorPath?: string }[] = [
    { name: 'missing job name', method: 'POST', path: () => '/jobs', body: {}, status: 400, code: 'VALIDATION_FAILED', errorPath: '/body/name' },
    { name: 'unknown field', method: 'POST', path: () => '/jobs', body: { name: 'x', colour: 'red' }, status: 400, code: 'VALIDATION_FAILED', errorPath: '/body' },
    { name: 'wrong type', method: 'POST', path: () => '/jobs', body: { name: 42 }, status: 400, code: 'VALIDATION_FAILED', errorPath: '/body/name' },
    { name: 'bad priority enum', method: 'POST', path: () => '/jobs', body: { name: 'x', priority: 'URGENT' }, status: 400, code: 'VALIDATION_FAILED', errorPath: '/body/priority' },
    { name: 'bad name characters', method: 'POST', path: () => '/jobs', body: { name: 'has space' }, status: 400, code: 'VALIDATION_FAILED', errorPath: '/body/name' },
    { name: 'nested bad task field', method: 'POST', path: () => '/jobs', body: { name: 'x', stages: [{ type: 'v-b', tasks: [{ data: 1 }, { maxAttempts: 0 }] }] }, status: 400, code: 'VALIDATION_FAILED', errorPath: '/body/stages/0/tasks/1/maxAttempts' },
    { name: 'stage without type', method: 'POST', path: () => '/jobs', body: { name: 'x', stages: [{ tasks: [] }] }, status: 400, code: 'VALIDATION_FAILED', errorPath: '/body/stages/0/type' },
    { name: 'bad timestamp', method: 'POST', path: () => '/jobs', body: { name: 'x', expiresAt: 'tomorrow' }, status: 400, code: 'VALIDATION_FAILED', errorPath: '/body/expiresAt' },
    { name: 'too many tasks', method: 'POST', path: () => '/jobs', body: { name: 'x', stages: [{ type: 'v-c', tasks: tasksOf(101) }] }, status: 413, code: 'TOO_MANY_TASKS' },
    { name: 'body too large', method: 'POST', path: () => '/jobs', body: { name: 'x', data: 'x'.repeat(300_000) }, status: 413, code: 'PAYLOAD_TOO_LARGE' },
    { name: 'nested too deep', method: 'POST', path: () => '/jobs', body: { name: 'x', data: { a: { b: { c: { d: { e: { f: { g: { h: { i: 1 } } } } } } } } } }, status: 400, code: 'VALIDATION_FAILED', errorPath: '/body/data/a/b/c/d/e/f/g' },
    { name: 'malformed JSON', method: 'POST', path: () => '/jobs', body: '{"name": "x",', status: 400, code: 'MALFORMED_JSON' },
    { name: 'wrong content type', method: 'POST', path: () => '/jobs', body: 'name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' }, status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
    { name: 'a charset other than UTF-8', method: 'POST', path: () => '/jobs', body: '{"name":"x"}', headers: { 'content-type': 'application/json; charset=utf-16' }, status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
    { name: 'latin-1 declared', method: 'POST', path: () => '/jobs', body: '{"name":"x"}', headers: { 'content-type': 'application/json;charset="ISO-8859-1"' }, status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
    { name: 'invalid uuid in path', method: 'GET', path: () => '/jobs/not-a-uuid', status: 400, code: 'VALIDATION_FAILED', errorPath: '/params/jobId' },
    { name: 'unknown job', method: 'GET', path: () => `/jobs/${UUID}`, status: 404, code: 'JOB_NOT_FOUND' },
    { name: 'bad status filter', method: 'GET', path: () => '/jobs?status=DONE', status: 400, code: 'VALIDATION_FAILED', errorPath: '/query/status/0' },
    { name: 'limit out of range', method: 'GET', path: () => '/jobs?limit=0', status: 400, code: 'VALIDATION_FAILED', errorPath: '/query/limit' },
    // Read as 16, 100, 5 and 0 before (a silent change of what was sent).
    ...['0x10', '1e2', '%205', '', '5.0'].map((limit) => ({ name: `limit=${limit}`, method: 'GET', path: () => `/jobs?limit=${limit}`, status: 400, code: 'VALIDATION_FAILED', errorPath: '/query/limit' })),
    { name: 'page size not in digits', method: 'GET', path: () => '/tasks?limit=0x10', status: 400, code: 'VALIDATION_FAILED', errorPath: '/query/limit' },
    { name: 'forged cursor', method: 'GET', path: () => '/jobs?cursor=abc', status: 400, code: 'VALIDATION_FAILED', errorPath: '/query/cursor' },
    // Cursors of the right length whose values are not what the listing's sort keys are (PGlite answered 500).
    ...[
      ['a boolean for createdAt', `/jobs?cursor=${cursorOf([true, UUID])}`],
      ['an object for updatedAt', `/jobs?sort=updatedAt&cursor=${cursorOf([{ a: 1 }, UUID])}`],
      ['a negative number for createdAt', `/jobs?cursor=${cursorOf([-1, UUID])}`],
      ['objects for the priority sort', `/jobs?sort=-priority&cursor=${cursorOf([{}, {}, {}])}`],
      ['a priority out of range', `/jobs?sort=priority&cursor=${cursorOf([1e308, '2026-01-01T00:00:00.000Z', UUID])}`],
      ['an array for a task id', `/tasks?cursor=${cursorOf([[UUID]])}`],
      ['numbers for a queue', `/queues?limit=5&cursor=${cursorOf([1, 2])}`],
      ['a NUL in a queue cursor', `/queues?limit=5&cursor=${cursorOf(['a\u0000', 'b'])}`],
    ].map(([what, path]) => ({ name: `forged cursor: ${what}`, method: 'GET', path: () => path!, status: 400, code: 'VALIDATION_FAILED', errorPath: '/query/cursor' })),
    // Timestamps every store reads back as sent: years 1000 to 9999 in UTC (PGlite read 0001-06-15 back as 2015-01-06,
    // and a year-0 instant made every listing of the job answer 500).
    { name: 'timestamp before year 1000', method: 'POST', path: () => '/jobs', body: { name: 'x', expiresAt: '0001-01-01T00:00:00+01:00' }, status: 400, code: 'VALIDATION_FAILED', errorPath: '/body/expiresAt' },
    { name: 'timestamp in year 99', method: 'POST', path: () => '/jobs', body: { name: 'x', stages: [{ type: 'v-t', tasks: [{ runAfter: '0099-06-15T12:00:00Z' }] }] }, status: 400, code: 'VALIDATION_FAILED', errorPath: '/body/stages/0/tasks/0/runAfter' },
    { name: 'timestamp past 9999 in UTC', method: 'POST', path: () => '/jobs', body: { name: 'x', expiresAt: '9999-12-31T23:00:00-14:00' }, status: 400, code: 'VALIDATION_FAILED', errorPath: '/body/expiresAt' },
    { name: 'filter timestamp out of range', method: 'GET', path: () => '/jobs?createdAfter=0500-01-01T00:00:00Z', status: 400, code: 'VALIDATION_FAILED', errorPath: '/query/createdAfter' },
    // A tenant the rest of the API could never name.
    { name: 'schedule for a malformed tenant', method: 'POST', path: () => '/schedules', body: { name: 's', cron: '0 * * * *', tenantId: 'a/b', jobTemplate: { name: 'x' } }, status: 400, code: 'VALIDATION_FAILED', errorPath: '/body/tenantId' },
    { name: 'schedule for an empty tenant', method: 'POST', path: () => '/schedules', body: { name: 's', cron: '0 * * * *', tenantId: '', jobTemplate: { name: 'x' } }, status: 400, code: 'VALIDATION_FAILED', errorPath: '/body/tenantId' },
    { name: 'stats of a malformed tenant', method: 'GET', path: () => '/stats?tenantId=a%00b', status: 400, code: 'VALIDATION_FAILED', errorPath: '/query/tenantId' },
    { name: 'unknown route', method: 'GET', path: () => '/nope', status: 404, code: 'ROUTE_NOT_FOUND' },
    { name: 'empty task list', method: 'POST', path: () => `/stages/${stageId}/tasks`, body: { tasks: [] }, status: 400, code: 'VALIDATION_FAILED', errorPath: '/body/tasks' },
    { name: 'tasks for an unknown stage', method: 'POST', path: () => `/stages/${UUID}/tasks`, body: { tasks: [{}] }, status: 404, code: 'STAGE_NOT_FOUND' },
    { name: 'dequeue without workerId', method: 'POST', path: () => '/queues/v-a/dequeue', body: { max: 5 }, status: 400, code: 'VALIDATION_FAILED', errorPath: '/body/workerId' },
    { name: 'stageTypes on the dequeue of one queue', method: 'POST', path: () => '/queues/v-a/dequeue', body: { workerId: 'w', stageTypes: ['v-b'] }, status: 400, code: 'VALIDATION_FAILED', errorPath: '/body' },
    { name: 'dequeue max too big', method: 'POST', path: () => '/dequeue', body: { workerId: 'w', max: 5000, stageTypes: ['v-a'] }, status: 400, code: 'VALIDATION_FAILED', errorPath: '/body/max' },
    { name: 'ack with a bad token', method: 'POST', path: () => '/tasks/complete', body: { items: [{ taskId: UUID, leaseToken: 'nope' }] }, status: 400, code: 'VALIDATION_FAILED', errorPath: '/body/items/0/leaseToken' },
    { name: 'empty update', method: 'PATCH', path: () => `/jobs/${UUID}`, body: {}, status: 400, code: 'VALIDATION_FAILED' },
    { name: 'heartbeat progress above 1', method: 'POST', path: () => '/workers/w1/heartbeat', body: { tasks: [{ taskId: UUID, leaseToken: UUID, progress: 2 }] }, status: 400, code: 'VALIDATION_FAILED', errorPath: '/body/tasks/0/progress' },
  ];

  it.each(cases)('$name → $status $code', async (c) => {
    const before = await rowCounts();
    const res = await a.raw(c.method, c.path(), c.body, c.headers);
    expect(res.status).toBe(c.status);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: c.status, code: c.code, type: expect.any(String), title: expect.any(String) });
    if (c.errorPath) expect(res.body.errors.map((e: any) => e.path)).toContain(c.errorPath);
    expect(await rowCounts()).toEqual(before);
  });

  it('takes a body declared as UTF-8 however the charset is written', async () => {
    for (const type of ['application/json; charset=utf-8', 'application/json;charset="UTF-8"', 'application/json; charset=utf8']) {
      expect((await a.raw('POST', '/jobs', '{"name":"charset-ok"}', { 'content-type': type })).status, type).toBe(201);
    }
  });

  it('keeps timestamps at the ends of the accepted range as they were sent, and lists them', async () => {
    const [first, last] = ['1000-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z'];
    const created = await a.post('/jobs', { name: 'range-ends', expiresAt: first, stages: [{ type: 'v-range', tasks: [{ runAfter: last }] }] });
    expect(created.status).toBe(201);
    expect(created.body.expiresAt).toBe(first);
    const read = await a.get(`/jobs/${created.body.id}?include=stages,tasks`);
    expect(read.body.expiresAt).toBe(first);
    expect(read.body.stages[0].tasks[0].runAfter).toBe(last);
    expect((await a.get('/jobs?name=range-ends')).body.items.map((j: any) => j.expiresAt)).toEqual([first]);
    expect((await a.get(`/tasks?jobId=${created.body.id}`)).body.items.map((t: any) => t.runAfter)).toEqual([last]);
  });
});
