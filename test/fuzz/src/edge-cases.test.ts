// Edge cases the fuzz once found as 500s or non-problem answers, kept as one minimal regression test each.
import { PROBLEM_CONTENT_TYPE } from '@jobnik/contracts';
import { startTestManager, testStores, type TestManager } from '@jobnik/manager/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const UUID = '0190f0e0-0000-7000-8000-000000000000';

describe.each(testStores())('edge cases of the request path on %s', (store) => {
  let m: TestManager;
  let stageId: string;
  const send = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(m.url + path, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    return { status: r.status, contentType: r.headers.get('content-type') ?? '', text };
  };
  const counts = async () => (await m.manager.db.query('SELECT (SELECT count(*) FROM jobs)::int AS j, (SELECT count(*) FROM tasks)::int AS t'))[0];

  beforeAll(async () => {
    m = await startTestManager({ store });
    const job = JSON.parse((await send('POST', '/jobs', { name: 'base', stages: [{ type: 'kb', tasks: [{}] }] })).text);
    stageId = job.stages[0].id;
  });
  afterAll(() => m?.close());

  // PostgreSQL cannot store U+0000 in text or jsonb: the manager refuses it at the edge with a 400.
  it.each([
    ['job data value', 'POST', (): string => '/jobs', { name: 'nul', data: { s: 'a\u0000b' } }],
    ['job data key', 'POST', (): string => '/jobs', { name: 'nul', data: { 'k\u0000': 1 } }],
    ['idempotency key', 'POST', (): string => '/jobs', { name: 'nul', idempotencyKey: 'k\u0000' }],
    ['task data', 'POST', (): string => `/stages/${stageId}/tasks`, { tasks: [{ data: '\u0000' }] }],
    ['failure code', 'POST', (): string => '/tasks/fail', { items: [{ taskId: UUID, leaseToken: UUID, error: { message: 'm', code: 'c\u0000' } }] }],
    ['heartbeat checkpoint', 'POST', (): string => '/workers/w1/heartbeat', { tasks: [{ taskId: UUID, leaseToken: UUID, checkpoint: 'a\u0000' }] }],
  ] as const)('U+0000 in %s is a 400 that stores nothing', async (_name, method, path, body) => {
    const before = await counts();
    const r = await send(method, path(), body);
    expect([r.status, JSON.parse(r.text).code], r.text).toEqual([400, 'VALIDATION_FAILED']);
    expect(JSON.parse(r.text).errors[0].path, r.text).toMatch(/^\/body\//);
    expect(await counts()).toEqual(before);
  });

  // Numbers far below float4 range (1e-83) once underflowed a real column; they are stored as float8 now.
  it.each([
    ['task backoff.jitter', (): string => '/jobs', { name: 'tiny', stages: [{ type: 'kb', tasks: [{ backoff: { jitter: 1e-83 } }] }] }],
    ['stage taskDefaults.backoff.jitter', (): string => '/jobs', { name: 'tiny', stages: [{ type: 'kb', taskDefaults: { backoff: { jitter: 1e-83 } }, tasks: [{}] }] }],
    ['heartbeat progress', (): string => '/workers/w1/heartbeat', { tasks: [{ taskId: UUID, leaseToken: UUID, progress: 1e-83 }] }],
  ] as const)('a tiny %s is accepted', async (_name, path, body) => {
    const r = await send('POST', path(), body);
    expect(r.status, r.text).toBeLessThan(300);
  });

  // A path parameter over the router's length limit answers problem+json.
  it('an over-long path parameter answers problem+json', async () => {
    const r = await send('GET', `/jobs/${'z'.repeat(101)}`);
    expect([r.status, JSON.parse(r.text).code], r.text).toEqual([400, 'VALIDATION_FAILED']);
    expect(r.contentType, r.text).toMatch(new RegExp(`^${PROBLEM_CONTENT_TYPE.replace('+', '\\+')}`));
  });

  // A request head over Node's 16 KiB limit answers problem+json (431 HEADERS_TOO_LARGE).
  it('an oversized request head answers problem+json', async () => {
    const r = await send('GET', `/jobs?cursor=${'c'.repeat(20_000)}`);
    expect([r.status, JSON.parse(r.text).code], r.text).toEqual([431, 'HEADERS_TOO_LARGE']);
    expect(r.contentType, r.text).toMatch(new RegExp(`^${PROBLEM_CONTENT_TYPE.replace('+', '\\+')}`));
  });
});

// Acks and heartbeats are scoped to the caller's tenant: with A's task id (and even A's lease token) B's worker
// changes nothing and learns nothing an unknown id would not tell it.
describe.each(testStores())('acks and heartbeats are scoped to the tenant on %s', (store) => {
  const ADMIN = 'edge-admin-key-0123456789';
  let m: TestManager;
  const req = async (key: string, method: string, path: string, body?: unknown) => {
    const r = await fetch(m.url + path, { method, headers: { 'x-api-key': key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: r.status, body: (await r.json()) as any };
  };
  let keyOf: Record<string, string>;
  let task: { id: string; leaseToken: string };
  beforeAll(async () => {
    m = await startTestManager({ store, config: { auth: { mode: 'apiKey', adminKey: ADMIN }, tasks: { sweepIntervalMs: 3_600_000 } } });
    keyOf = {};
    for (const [n, tenantId, role] of [['pa', 'ta', 'producer'], ['wa', 'ta', 'worker'], ['wb', 'tb', 'worker']] as const) keyOf[n] = (await req(ADMIN, 'POST', '/api-keys', { tenantId, role, name: n })).body.key;
    await req(keyOf.pa!, 'POST', '/jobs', { name: 'a', stages: [{ type: 'kb-a', tasks: [{}, {}] }] });
    task = (await req(keyOf.wa!, 'POST', '/dequeue', { workerId: 'wa', stageTypes: ['kb-a'], leaseMs: 3_600_000 })).body.tasks[0];
  });
  afterAll(() => m?.close());

  it("B's worker cannot learn whether A's task exists through fail/release", async () => {
    const other = '0190f0e0-0000-7000-8000-000000000000';
    const onA = await req(keyOf.wb!, 'POST', '/tasks/release', { items: [{ taskId: task.id, leaseToken: other }] });
    const onNothing = await req(keyOf.wb!, 'POST', '/tasks/release', { items: [{ taskId: other, leaseToken: other }] });
    expect(onA.body.items[0].code).toBe(onNothing.body.items[0].code);
  });

  it("B's worker cannot extend A's lease with A's token", async () => {
    const hb = await req(keyOf.wb!, 'POST', '/workers/wa/heartbeat', { tasks: [{ taskId: task.id, leaseToken: task.leaseToken, progress: 0.5 }] });
    expect(hb.body.tasks[0].directive).toBe('lost');
  });

  it("B's worker cannot complete A's task with A's token", async () => {
    const done = await req(keyOf.wb!, 'POST', '/tasks/complete', { items: [{ taskId: task.id, leaseToken: task.leaseToken, result: 'forged' }] });
    expect(done.body.items[0]).toMatchObject({ ok: false, code: 'TASK_NOT_FOUND' });
    const seen = await req(keyOf.pa!, 'GET', `/tasks/${task.id}`);
    expect(seen.body.status).toBe('IN_PROGRESS');
  });
});
