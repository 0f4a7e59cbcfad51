// A stage created with hold waits, with its tasks, until POST /stages/{id}/release: a producer adds a big stage's
// tasks over several requests without workers finishing it between two of them (and so a later request being
// refused by a completed stage). Over real HTTP on both stores.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { testStores } from '../src/testing.js';
import { drain, tasksOf } from './api.js';
import { useManager } from './fixtures.js';

describe.each(testStores())('a held stage on %s', (store) => {
  const t = useManager(store);

  const leasable = async (type: string) => (await t.a.post('/dequeue', { workerId: 'peek', max: 500, stageTypes: [type] })).body.tasks.length;
  const stage = async (id: string) => (await t.a.get(`/stages/${id}`)).body;

  it('hands out none of its tasks while they arrive over several requests; released, every one runs and the job completes', async () => {
    const created = await t.a.post('/jobs', { name: 'held', stages: [{ type: 'held-many', hold: true, tasks: tasksOf(3) }] });
    expect(created.status).toBe(201);
    const s0 = created.body.stages[0];
    expect(s0).toMatchObject({ status: 'WAITING', held: true, summary: { waiting: 3, total: 3 } });
    expect(await leasable('held-many')).toBe(0);

    for (const n of [200, 2]) expect((await t.a.post(`/stages/${s0.id}/tasks`, { tasks: tasksOf(n) })).status).toBe(201);
    expect(await leasable('held-many')).toBe(0);
    expect(await stage(s0.id)).toMatchObject({ status: 'WAITING', held: true, summary: { waiting: 205, total: 205 } });

    const released = await t.a.post(`/stages/${s0.id}/release`);
    expect(released.status).toBe(200);
    expect(released.body).toMatchObject({ status: 'PENDING', held: false, summary: { pending: 205 } });
    expect(await drain(t.a, ['held-many'])).toBe(205);
    expect((await t.a.get(`/jobs/${created.body.id}`)).body.status).toBe('COMPLETED');
  });

  it('holds an empty stage: its first tasks do not open it; released with none it is an ordinary empty stage', async () => {
    const job = (await t.a.post('/jobs', { name: 'held', stages: [{ type: 'held-empty', hold: true }] })).body;
    const s0 = job.stages[0];
    expect(s0).toMatchObject({ status: 'WAITING', held: true });
    expect((await t.a.post(`/stages/${s0.id}/tasks`, { tasks: tasksOf(2) })).status).toBe(201);
    expect(await leasable('held-empty')).toBe(0);
    expect((await t.a.post(`/stages/${s0.id}/release`)).body.status).toBe('PENDING');
    expect(await drain(t.a, ['held-empty'])).toBe(2);

    const none = (await t.a.post('/jobs', { name: 'held', stages: [{ type: 'held-none', hold: true }] })).body.stages[0];
    expect((await t.a.post(`/stages/${none.id}/release`)).body).toMatchObject({ status: 'CREATED', held: false });
    expect((await t.a.post(`/stages/${none.id}/tasks`, { tasks: tasksOf(1) })).status).toBe(201);
    expect(await drain(t.a, ['held-none'])).toBe(1);
  });

  it('a held later stage stays WAITING when the stages before it complete, and opens at its release', async () => {
    const job = (await t.a.post('/jobs', { name: 'held', stages: [{ type: 'held-first', tasks: tasksOf(1) }, { type: 'held-second', hold: true, tasks: tasksOf(1) }] })).body;
    expect(await drain(t.a, ['held-first', 'held-second'])).toBe(1);
    expect(await stage(job.stages[1].id)).toMatchObject({ status: 'WAITING', held: true });
    expect((await t.a.get(`/jobs/${job.id}`)).body.status).not.toBe('COMPLETED');
    expect((await t.a.post(`/stages/${job.stages[1].id}/release`)).body.status).toBe('PENDING');
    expect(await drain(t.a, ['held-second'])).toBe(1);
    expect((await t.a.get(`/jobs/${job.id}`)).body.status).toBe('COMPLETED');
  });

  it('released before the stages ahead of it are done, it opens when they are', async () => {
    const job = (await t.a.post('/jobs', { name: 'held', stages: [{ type: 'early-first', tasks: tasksOf(1) }, { type: 'early-second', hold: true, tasks: tasksOf(1) }] })).body;
    expect((await t.a.post(`/stages/${job.stages[1].id}/release`)).body).toMatchObject({ status: 'WAITING', held: false });
    expect(await leasable('early-second')).toBe(0);
    expect(await drain(t.a, ['early-first'])).toBe(1);
    expect(await drain(t.a, ['early-second'])).toBe(1);
    expect((await t.a.get(`/jobs/${job.id}`)).body.status).toBe('COMPLETED');
  });

  it('keeps its hold through suspend and resume (of the stage or its job) and through cancel and retry', async () => {
    const job = (await t.a.post('/jobs', { name: 'held', stages: [{ type: 'held-life', hold: true, tasks: tasksOf(2) }] })).body;
    const id = job.stages[0].id;
    expect((await t.a.post(`/stages/${id}/suspend`)).body.status).toBe('PAUSED');
    expect((await t.a.post(`/stages/${id}/resume`)).body).toMatchObject({ status: 'WAITING', held: true });
    expect((await t.a.post(`/jobs/${job.id}/suspend`)).body.status).toBe('PAUSED');
    expect((await t.a.post(`/jobs/${job.id}/resume`)).status).toBe(200);
    expect(await stage(id)).toMatchObject({ status: 'WAITING', held: true });
    expect(await leasable('held-life')).toBe(0);

    expect((await t.a.post(`/jobs/${job.id}/cancel`)).body.status).toBe('ABORTED');
    expect((await t.a.post(`/jobs/${job.id}/retry`)).body.status).toBe('PENDING');
    expect(await stage(id)).toMatchObject({ status: 'WAITING', held: true, summary: { waiting: 2 } });
    expect(await leasable('held-life')).toBe(0);
    expect((await t.a.post(`/stages/${id}/release`)).body.status).toBe('PENDING');
    expect(await drain(t.a, ['held-life'])).toBe(2);
    expect((await t.a.get(`/jobs/${job.id}`)).body.status).toBe('COMPLETED');
  });

  it('release refuses a stage that is not held (409, a repeat too), one suspended (409), an unknown one (404); hold must be a boolean (400)', async () => {
    const plain = (await t.a.post('/jobs', { name: 'held', stages: [{ type: 'held-plain', tasks: tasksOf(1) }] })).body.stages[0];
    const refused = await t.a.post(`/stages/${plain.id}/release`);
    expect([refused.status, refused.body.code]).toEqual([409, 'ILLEGAL_TRANSITION']);
    expect(refused.body.detail).toContain('not held');

    const held = (await t.a.post('/jobs', { name: 'held', stages: [{ type: 'held-twice', hold: true, tasks: tasksOf(1) }] })).body.stages[0];
    expect((await t.a.post(`/stages/${held.id}/suspend`)).status).toBe(200);
    const whilePaused = await t.a.post(`/stages/${held.id}/release`);
    expect([whilePaused.status, whilePaused.body.code]).toEqual([409, 'ILLEGAL_TRANSITION']);
    expect(await stage(held.id)).toMatchObject({ status: 'PAUSED', held: true });
    expect((await t.a.post(`/stages/${held.id}/resume`)).status).toBe(200);
    expect((await t.a.post(`/stages/${held.id}/release`)).status).toBe(200);
    expect((await t.a.post(`/stages/${held.id}/release`)).status).toBe(409);

    const unknown = await t.a.post(`/stages/${randomUUID()}/release`);
    expect([unknown.status, unknown.body.code]).toEqual([404, 'STAGE_NOT_FOUND']);
    const bad = await t.a.post('/jobs', { name: 'held', stages: [{ type: 'held-bad', hold: 'yes', tasks: tasksOf(1) }] });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('VALIDATION_FAILED');
  });
});
