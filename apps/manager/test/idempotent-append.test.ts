// POST /stages/{id}/tasks and POST /jobs/{id}/stages with an idempotencyKey: a producer whose answer was lost on the
// network sends the same append again and gets what its first call added — nothing is added twice, even if the stage
// or job moved on meanwhile — and a key reused with something else is refused. Over real HTTP on both stores.
import { describe, expect, it } from 'vitest';
import { testStores } from '../src/testing.js';
import { drain, tasksOf } from './api.js';
import { useManager } from './fixtures.js';

describe.each(testStores())('an idempotent append on %s', (store) => {
  const t = useManager(store);

  const newStage = async (type: string, extra: Record<string, unknown> = {}) =>
    (await t.a.post('/jobs', { name: 'append', stages: [{ type, tasks: tasksOf(1), ...extra }] })).body.stages[0] as { id: string };
  const append = (stageId: string, body: Record<string, unknown>) => t.a.post(`/stages/${stageId}/tasks`, body);
  const total = async (stageId: string) => (await t.a.get(`/stages/${stageId}`)).body.summary.total as number;

  it('answers a repeat with the first call ids and adds nothing', async () => {
    const stage = await newStage('append-repeat');
    const first = await append(stage.id, { idempotencyKey: 'chunk-1', tasks: tasksOf(3) });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ stageId: stage.id, created: 3 });
    const again = await append(stage.id, { idempotencyKey: 'chunk-1', tasks: tasksOf(3) });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(await total(stage.id)).toBe(4);
    expect(await drain(t.a, ['append-repeat'])).toBe(4);
  });

  it('refuses the key with other tasks (409 IDEMPOTENCY_CONFLICT) and keeps keys apart per stage', async () => {
    const stage = await newStage('append-conflict');
    expect((await append(stage.id, { idempotencyKey: 'k', tasks: tasksOf(2) })).status).toBe(201);
    const other = await append(stage.id, { idempotencyKey: 'k', tasks: tasksOf(2, (i) => ({ data: { i: i + 10 } })) });
    expect(other.status).toBe(409);
    expect(other.headers.get('content-type')).toContain('application/problem+json');
    expect(other.body.code).toBe('IDEMPOTENCY_CONFLICT');
    const elsewhere = await newStage('append-conflict');
    expect((await append(elsewhere.id, { idempotencyKey: 'k', tasks: tasksOf(2, (i) => ({ data: { i: i + 10 } })) })).status).toBe(201);
    expect(await total(stage.id)).toBe(3);
    expect(await total(elsewhere.id)).toBe(3);
  });

  it('answers a repeat after the stage finished, where a new append is refused', async () => {
    const stage = await newStage('append-late');
    const first = await append(stage.id, { idempotencyKey: 'late', tasks: tasksOf(2) });
    expect(await drain(t.a, ['append-late'])).toBe(3);
    expect((await t.a.get(`/stages/${stage.id}`)).body.status).toBe('COMPLETED');
    const again = await append(stage.id, { idempotencyKey: 'late', tasks: tasksOf(2) });
    expect(again.status).toBe(200);
    expect(again.body.taskIds).toEqual(first.body.taskIds);
    const fresh = await append(stage.id, { idempotencyKey: 'later', tasks: tasksOf(2) });
    expect(fresh.status).toBe(409);
    expect(fresh.body.code).toBe('ILLEGAL_TRANSITION');
  });

  it('adds the tasks once when the same append arrives twice at the same time', async () => {
    const stage = await newStage('append-race', { hold: true });
    const both = await Promise.all([1, 2].map(() => append(stage.id, { idempotencyKey: 'race', tasks: tasksOf(50) })));
    expect(both.map((r) => r.status).sort()).toEqual([200, 201]);
    expect(both[0]!.body.taskIds).toEqual(both[1]!.body.taskIds);
    expect(await total(stage.id)).toBe(51);
  });

  it('rejects a key that is empty, too long or not a string (400 VALIDATION_FAILED)', async () => {
    const stage = await newStage('append-bad');
    for (const idempotencyKey of ['', 'k'.repeat(257), 7]) {
      const r = await append(stage.id, { idempotencyKey, tasks: tasksOf(1) });
      expect(r.status).toBe(400);
      expect(r.body.code).toBe('VALIDATION_FAILED');
    }
    expect(await total(stage.id)).toBe(1);
  });

  it('goes with its job: a finished job with keyed appends is deleted whole', async () => {
    const stage = await newStage('append-delete');
    expect((await append(stage.id, { idempotencyKey: 'gone', tasks: tasksOf(2) })).status).toBe(201);
    expect(await drain(t.a, ['append-delete'])).toBe(3);
    const jobId = (await t.a.get(`/stages/${stage.id}`)).body.jobId as string;
    expect((await t.a.del(`/jobs/${jobId}`)).status).toBe(204);
    expect((await append(stage.id, { idempotencyKey: 'gone', tasks: tasksOf(2) })).status).toBe(404);
  });
});

describe.each(testStores())('an idempotent stage append on %s', (store) => {
  const t = useManager(store);

  const newJob = async (type: string) => (await t.a.post('/jobs', { name: 'append-stage', stages: [{ type, tasks: tasksOf(1) }] })).body as { id: string };
  const stagesOf = async (jobId: string) => (await t.a.get(`/jobs/${jobId}/stages`)).body.items as { id: string; type: string }[];

  it('answers a repeat with the stage the first call added, and refuses the key with another stage', async () => {
    const job = await newJob('stage-key-1');
    const body = { idempotencyKey: 'second', type: 'stage-key-2', hold: true, tasks: tasksOf(2) };
    const first = await t.a.post(`/jobs/${job.id}/stages`, body);
    expect(first.status).toBe(201);
    const again = await t.a.post(`/jobs/${job.id}/stages`, body);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    expect(again.body.summary.total).toBe(2);
    const other = await t.a.post(`/jobs/${job.id}/stages`, { ...body, type: 'stage-key-3' });
    expect(other.status).toBe(409);
    expect(other.body.code).toBe('IDEMPOTENCY_CONFLICT');
    expect((await stagesOf(job.id)).map((s) => s.type)).toEqual(['stage-key-1', 'stage-key-2']);
  });

  it('answers a repeat after the job finished, where a new stage is refused; concurrent repeats add one stage', async () => {
    const job = await newJob('stage-key-late');
    const both = await Promise.all([1, 2].map(() => t.a.post(`/jobs/${job.id}/stages`, { idempotencyKey: 'k', type: 'stage-key-late2', tasks: tasksOf(1) })));
    expect(both.map((r) => r.status).sort()).toEqual([200, 201]);
    expect(both[0]!.body.id).toBe(both[1]!.body.id);
    expect(await drain(t.a, ['stage-key-late', 'stage-key-late2'])).toBe(2);
    expect((await t.a.get(`/jobs/${job.id}`)).body.status).toBe('COMPLETED');
    const again = await t.a.post(`/jobs/${job.id}/stages`, { idempotencyKey: 'k', type: 'stage-key-late2', tasks: tasksOf(1) });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: both[0]!.body.id, status: 'COMPLETED' });
    expect((await t.a.post(`/jobs/${job.id}/stages`, { idempotencyKey: 'new', type: 'stage-key-late2' })).body.code).toBe('ILLEGAL_TRANSITION');
    expect(await stagesOf(job.id)).toHaveLength(2);
    expect((await t.a.post(`/jobs/${job.id}/stages`, { idempotencyKey: '', type: 'x' })).body.code).toBe('VALIDATION_FAILED');
    expect((await t.a.del(`/jobs/${job.id}`)).status).toBe(204);
  });
});
