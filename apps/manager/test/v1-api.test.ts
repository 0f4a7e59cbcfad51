// The /v1 API as MapColonies' Jobnik clients use it (written from their v0.2.1 openapi3.yaml and their SDK's
// producer and consumer): flows, their status view and attempt counting, errors as { message, code }.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testStores } from '../src/testing.js';
import { waitFor, type Api } from './api.js';
import { useManager } from './fixtures.js';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
let seq = 0;
const uniq = (p: string) => `${p}-${process.pid}-${++seq}`;
const NONE = '018f0000-0000-7000-8000-000000000000';

function v1(a: Api) {
  return {
    createJob: (body: unknown) => a.post('/v1/jobs', body),
    job: (id: string, q = '') => a.get(`/v1/jobs/${id}${q}`),
    addStage: (jobId: string, body: unknown) => a.post(`/v1/jobs/${jobId}/stage`, body),
    addTasks: (stageId: string, body: unknown) => a.post(`/v1/stages/${stageId}/tasks`, body),
    dequeue: (type: string) => a.raw('PATCH', `/v1/stages/${encodeURIComponent(type)}/tasks/dequeue`),
    task: (id: string) => a.get(`/v1/tasks/${id}`),
    setTask: (id: string, status: string) => a.raw('PUT', `/v1/tasks/${id}/status`, { status }),
    setJob: (id: string, status: string) => a.raw('PUT', `/v1/jobs/${id}/status`, { status }),
    setStage: (id: string, status: string) => a.raw('PUT', `/v1/stages/${id}/status`, { status }),
  };
}

/** A job with one stage of n tasks, through /v1 as their producer builds it. */
async function jobWithTasks(a: Api, type: string, n: number, extra: Record<string, unknown> = {}, task: Record<string, unknown> = {}) {
  const c = v1(a);
  const job = await c.createJob({ name: uniq('v1-job'), data: { k: 1 }, ...extra });
  expect(job.status, JSON.stringify(job.body)).toBe(201);
  const stage = await c.addStage(job.body.id, { type, data: {} });
  expect(stage.status, JSON.stringify(stage.body)).toBe(201);
  const tasks = await c.addTasks(stage.body.id, Array.from({ length: n }, (_, i) => ({ data: { i }, ...task })));
  expect(tasks.status, JSON.stringify(tasks.body)).toBe(201);
  return { job: job.body, stage: stage.body, tasks: tasks.body as any[] };
}

describe.each(testStores())('/v1 API on %s', (store) => {
  const f = useManager(store);

  it('runs a simple job: create, stage, tasks, dequeue, complete; the job is an ordinary job of our API too', async () => {
    const c = v1(f.a);
    const type = uniq('v1-simple');
    const job = await c.createJob({ name: 'data_processing', data: { input: '/raw' }, userMetadata: { owner: 'a' }, traceparent: TRACEPARENT });
    expect(job.status).toBe(201);
    expect(job.body).toMatchObject({ name: 'data_processing', status: 'PENDING', percentage: 0, priority: 'MEDIUM', data: { input: '/raw' }, userMetadata: { owner: 'a' }, traceparent: TRACEPARENT });
    expect(typeof job.body.creationTime).toBe('string');
    expect(job.body.stages).toBeUndefined();

    const stage = await c.addStage(job.body.id, { type, data: { z: 1 } });
    expect(stage.body).toMatchObject({ type, status: 'CREATED', order: 1, jobId: job.body.id, summary: { pending: 0, inProgress: 0, completed: 0, failed: 0, created: 0, retried: 0, total: 0 } });

    const tasks = await c.addTasks(stage.body.id, [{ data: { x: 1 }, userMetadata: { n: 1 } }, { data: { x: 2 }, maxAttempts: 5 }]);
    expect(tasks.status).toBe(201);
    expect(tasks.body).toHaveLength(2);
    expect(tasks.body[0]).toMatchObject({ data: { x: 1 }, userMetadata: { n: 1 }, stageId: stage.body.id, status: 'PENDING', attempts: 0, maxAttempts: 1, traceparent: TRACEPARENT });
    expect(tasks.body[1].maxAttempts).toBe(5);

    const seen = new Set<string>();
    for (let i = 0; i < 2; i++) {
      const d = await c.dequeue(type);
      expect(d.status, JSON.stringify(d.body)).toBe(200);
      expect(d.body).toMatchObject({ status: 'IN_PROGRESS', attempts: 0, stageId: stage.body.id });
      expect(typeof d.body.startTime).toBe('string');
      seen.add(d.body.id);
      // Their worker reads the task before it marks it.
      expect((await c.task(d.body.id)).body.status).toBe('IN_PROGRESS');
      const done = await c.setTask(d.body.id, 'COMPLETED');
      expect(done.status, JSON.stringify(done.body)).toBe(200);
      expect(done.body).toMatchObject({ id: d.body.id, status: 'COMPLETED', attempts: 0 });
      expect(typeof done.body.endTime).toBe('string');
    }
    expect(seen).toEqual(new Set(tasks.body.map((t: any) => t.id)));
    const none = await c.dequeue(type);
    expect([none.status, none.body.code]).toEqual([404, 'TASK_NOT_FOUND']);
    expect(typeof none.body.message).toBe('string');

    const after = await c.job(job.body.id, '?should_return_stages=true');
    expect(after.body).toMatchObject({ status: 'COMPLETED', percentage: 100, stages: [{ id: stage.body.id, status: 'COMPLETED', percentage: 100, summary: { completed: 2, total: 2 } }] });
    expect((await f.a.get(`/v1/stages/${stage.body.id}/summary`)).body).toEqual({ pending: 0, inProgress: 0, completed: 2, failed: 0, created: 0, retried: 0, total: 2 });
    const ours = await f.a.get(`/jobs/${job.body.id}?include=stages`);
    expect(ours.body).toMatchObject({ status: 'COMPLETED', name: 'data_processing', stages: [{ order: 0, type, status: 'COMPLETED' }] });
  });

  it('runs stages in order: a later stage\'s tasks are CREATED until the one before completes', async () => {
    const c = v1(f.a);
    const [t1, t2] = [uniq('v1-ms-a'), uniq('v1-ms-b')];
    const job = await c.createJob({ name: uniq('multi'), data: {} });
    const s1 = await c.addStage(job.body.id, { type: t1, data: {} });
    const s2 = await c.addStage(job.body.id, { type: t2, data: {} });
    expect([s1.body.order, s2.body.order]).toEqual([1, 2]);
    await c.addTasks(s1.body.id, [{ data: {} }]);
    const later = await c.addTasks(s2.body.id, [{ data: {} }]);
    expect(later.body[0].status).toBe('CREATED');
    // Theirs: a later stage is CREATED until its turn (WAITING means held, released only by hand).
    expect((await f.a.get(`/v1/stages/${s2.body.id}`)).body).toMatchObject({ status: 'CREATED', summary: { created: 1, total: 1 } });
    expect((await f.a.get(`/v1/stages?job_id=${job.body.id}&stage_operation_status=CREATED`)).body.map((x: any) => x.id)).toEqual([s2.body.id]);
    expect((await f.a.get(`/v1/stages?job_id=${job.body.id}&stage_operation_status=WAITING`)).body).toEqual([]);
    expect((await c.dequeue(t2)).status).toBe(404);
    const d1 = await c.dequeue(t1);
    expect((await c.job(job.body.id)).body.status).toBe('IN_PROGRESS');
    await c.setTask(d1.body.id, 'COMPLETED');
    const d2 = await c.dequeue(t2);
    expect(d2.status).toBe(200);
    await c.setTask(d2.body.id, 'COMPLETED');
    const stages = await f.a.get(`/v1/jobs/${job.body.id}/stages?should_return_tasks=true`);
    expect(stages.body.map((s: any) => [s.order, s.status, s.tasks.map((t: any) => t.status)])).toEqual([[1, 'COMPLETED', ['COMPLETED']], [2, 'COMPLETED', ['COMPLETED']]]);
    expect((await c.job(job.body.id)).body.status).toBe('COMPLETED');
  });

  it('retries a failed task at once until maxAttempts runs failed (RETRIED), then fails it, its stage and its job', async () => {
    const c = v1(f.a);
    const type = uniq('v1-retry');
    const { job, stage } = await jobWithTasks(f.a, type, 1, {}, { maxAttempts: 3 });
    const statuses: [string, number][] = [];
    for (let run = 0; run < 3; run++) {
      const d = await c.dequeue(type); // no backoff: ready again at once
      expect(d.status, `run ${run}: ${JSON.stringify(d.body)}`).toBe(200);
      expect(d.body.attempts).toBe(run);
      const r = await c.setTask(d.body.id, 'FAILED');
      expect(r.status).toBe(200);
      statuses.push([r.body.status, r.body.attempts]);
    }
    // Their manager since 0.2: each FAILED report counts, and the one that reaches maxAttempts fails the task.
    expect(statuses).toEqual([['RETRIED', 1], ['RETRIED', 2], ['FAILED', 3]]);
    expect((await c.dequeue(type)).status).toBe(404);
    expect((await f.a.get(`/v1/stages/${stage.id}`)).body).toMatchObject({ status: 'FAILED', summary: { failed: 1, retried: 0, total: 1 } });
    expect((await c.job(job.id)).body.status).toBe('FAILED');
  });

  it('fails a task of their default maxAttempts (1) on its first FAILED report, and its stage and job with it', async () => {
    const c = v1(f.a);
    const type = uniq('v1-once');
    const { job, stage, tasks } = await jobWithTasks(f.a, type, 1);
    expect(tasks[0].maxAttempts).toBe(1);
    const d = await c.dequeue(type);
    const r = await c.setTask(d.body.id, 'FAILED');
    expect([r.status, r.body.status, r.body.attempts, r.body.maxAttempts]).toEqual([200, 'FAILED', 1, 1]);
    expect((await c.dequeue(type)).status).toBe(404);
    expect((await f.a.get(`/v1/stages/${stage.id}`)).body.status).toBe('FAILED');
    expect((await c.job(job.id)).body.status).toBe('FAILED');
  });

  it('shows a task waiting for its retry as RETRIED in lists, summaries and filters', async () => {
    const c = v1(f.a);
    const type = uniq('v1-retried');
    const { stage, tasks } = await jobWithTasks(f.a, type, 2, {}, { maxAttempts: 2 });
    const d = await c.dequeue(type);
    await c.setTask(d.body.id, 'FAILED');
    expect((await f.a.get(`/v1/stages/${stage.id}/summary`)).body).toEqual({ pending: 1, inProgress: 0, completed: 0, failed: 0, created: 0, retried: 1, total: 2 });
    const retried = await f.a.get(`/v1/tasks?stage_id=${stage.id}&status=RETRIED`);
    expect(retried.body.map((t: any) => t.id)).toEqual([d.body.id]);
    const pending = await f.a.get(`/v1/tasks?stage_id=${stage.id}&status=PENDING`);
    expect(pending.body.map((t: any) => t.id)).toEqual(tasks.filter((t) => t.id !== d.body.id).map((t) => t.id));
  });

  it('hands out the highest priority first and PATCH priority reorders (204 when unchanged)', async () => {
    const c = v1(f.a);
    const type = uniq('v1-prio');
    const low = await jobWithTasks(f.a, type, 1, { priority: 'LOW' });
    const high = await jobWithTasks(f.a, type, 1, { priority: 'HIGH' });
    const same = await f.a.raw('PATCH', `/v1/jobs/${low.job.id}/priority`, { priority: 'LOW' });
    expect(same.status).toBe(204);
    expect(same.headers.get('reason')).toMatch(/already LOW/);
    const up = await f.a.raw('PATCH', `/v1/jobs/${low.job.id}/priority`, { priority: 'VERY_HIGH' });
    expect([up.status, up.body]).toEqual([200, { code: 'JOB_MODIFIED_SUCCESSFULLY' }]);
    expect((await c.dequeue(type)).body.id).toBe(low.tasks[0].id);
    expect((await c.dequeue(type)).body.id).toBe(high.tasks[0].id);
    expect((await c.job(low.job.id)).body.priority).toBe('VERY_HIGH');
  });

  it('pauses and resumes a job with PUT status; an illegal change answers their code and message', async () => {
    const c = v1(f.a);
    const type = uniq('v1-pause');
    const { job } = await jobWithTasks(f.a, type, 1);
    expect((await c.setJob(job.id, 'PAUSED')).body).toEqual({ code: 'JOB_MODIFIED_SUCCESSFULLY' });
    expect((await c.job(job.id)).body.status).toBe('PAUSED');
    expect((await c.dequeue(type)).status).toBe(404);
    const again = await c.setJob(job.id, 'PAUSED');
    expect([again.status, again.body]).toEqual([400, { code: 'ILLEGAL_JOB_STATUS_TRANSITION', message: 'Illegal status transition from PAUSED to PAUSED' }]);
    expect((await c.setJob(job.id, 'PENDING')).status).toBe(200);
    expect((await c.job(job.id)).body.status).toBe('PENDING');
    expect((await c.dequeue(type)).status).toBe(200);
    const resume = await c.setJob(job.id, 'PENDING');
    expect([resume.status, resume.body.code, resume.body.message]).toEqual([400, 'ILLEGAL_JOB_STATUS_TRANSITION', 'Illegal status transition from IN_PROGRESS to PENDING']);
  });

  it("shows a job's percentage as theirs: the share of its stages completed, not of its tasks", async () => {
    const c = v1(f.a);
    const [ta, tc] = [uniq('v1-pct-a'), uniq('v1-pct-c')];
    const job = await c.createJob({ name: uniq('pct'), data: {} });
    const a = await c.addStage(job.body.id, { type: ta, data: {} });
    const b = await c.addStage(job.body.id, { type: uniq('v1-pct-b'), data: {} });
    const last = await c.addStage(job.body.id, { type: tc, data: {} });
    await c.addTasks(a.body.id, [{ data: {} }, { data: {} }]);
    await c.addTasks(last.body.id, [{ data: {} }]);
    await c.setTask((await c.dequeue(ta)).body.id, 'COMPLETED');
    expect((await c.job(job.body.id)).body.percentage).toBe(0); // no stage completed yet (by tasks: 33)
    await c.setTask((await c.dequeue(ta)).body.id, 'COMPLETED');
    expect((await c.job(job.body.id)).body.percentage).toBe(33); // 1 of 3 stages (by tasks: 66)
    await c.addTasks(b.body.id, [{ data: {} }]);
    expect((await c.job(job.body.id)).body.percentage).toBe(33); // more tasks do not move it back (by tasks: 50)
    expect((await f.a.get(`/v1/jobs?job_name=${job.body.name}`)).body.map((j: any) => j.percentage)).toEqual([33]);
    expect((await f.a.get(`/v1/stages/${a.body.id}`)).body.percentage).toBe(100);
  });

  it('holds a startAsWaiting stage (and its tasks) until PUT status PENDING, even after the stage before it completes', async () => {
    const c = v1(f.a);
    const [t1, t2] = [uniq('v1-held-a'), uniq('v1-held-b')];
    const job = await c.createJob({ name: uniq('held'), data: {} });
    const s1 = await c.addStage(job.body.id, { type: t1, data: {} });
    const s2 = await c.addStage(job.body.id, { type: t2, data: {}, startAsWaiting: true });
    expect(s2.body.status).toBe('WAITING');
    await c.addTasks(s1.body.id, [{ data: {} }]);
    const held = await c.addTasks(s2.body.id, [{ data: {} }]);
    expect(held.body[0].status).toBe('CREATED');
    await c.setTask((await c.dequeue(t1)).body.id, 'COMPLETED');
    expect((await f.a.get(`/v1/stages/${s2.body.id}`)).body.status).toBe('WAITING');
    expect((await c.dequeue(t2)).status).toBe(404);
    expect((await c.job(job.body.id)).body.status).toBe('IN_PROGRESS');

    expect((await c.setStage(s2.body.id, 'PENDING')).body).toEqual({ code: 'STAGE_MODIFIED_SUCCESSFULLY' });
    expect((await f.a.get(`/v1/stages/${s2.body.id}`)).body.status).toBe('PENDING');
    const again = await c.setStage(s2.body.id, 'PENDING');
    expect([again.status, again.body]).toEqual([400, { code: 'ILLEGAL_STAGE_STATUS_TRANSITION', message: 'Illegal status transition from PENDING to PENDING' }]);
    await c.setTask((await c.dequeue(t2)).body.id, 'COMPLETED');
    expect((await c.job(job.body.id)).body.status).toBe('COMPLETED');

    // A held first stage without tasks: released, it takes tasks like any new stage.
    const j2 = await c.createJob({ name: uniq('held2'), data: {} });
    const only = await c.addStage(j2.body.id, { type: t2, data: {}, startAsWaiting: true });
    expect((await c.setStage(only.body.id, 'PENDING')).status).toBe(200);
    expect((await c.addTasks(only.body.id, [{ data: {} }])).body[0].status).toBe('PENDING');
    expect((await f.a.raw('PUT', `/v1/stages/${only.body.id}/status`, { status: 'COMPLETED' })).body.code).toBe('VALIDATION_ERROR');
  });

  it('aborts a running job (its running task can no longer be completed) and refuses to abort a finished one', async () => {
    const c = v1(f.a);
    const type = uniq('v1-abort');
    const { job } = await jobWithTasks(f.a, type, 2);
    const running = await c.dequeue(type);
    expect((await c.setJob(job.id, 'ABORTED')).status).toBe(200);
    const view = await c.job(job.id, '?should_return_stages=true');
    expect(view.body).toMatchObject({ status: 'ABORTED', stages: [{ status: 'ABORTED', summary: { failed: 2, total: 2 } }] });
    const late = await c.setTask(running.body.id, 'COMPLETED');
    expect([late.status, late.body]).toEqual([400, { code: 'ILLEGAL_TASK_STATUS_TRANSITION', message: 'Illegal status transition from FAILED to COMPLETED' }]);
    const twice = await c.setJob(job.id, 'ABORTED');
    expect([twice.status, twice.body.message]).toEqual([400, 'Illegal status transition from ABORTED to ABORTED']);
    expect((await c.dequeue(type)).status).toBe(404);
  });

  it('deletes only finished jobs', async () => {
    const c = v1(f.a);
    const type = uniq('v1-del');
    const { job } = await jobWithTasks(f.a, type, 1);
    const early = await f.a.del(`/v1/jobs/${job.id}`);
    expect([early.status, early.body.code]).toEqual([400, 'JOB_NOT_IN_FINITE_STATE']);
    await c.setTask((await c.dequeue(type)).body.id, 'COMPLETED');
    const ok = await f.a.del(`/v1/jobs/${job.id}`);
    expect([ok.status, ok.body]).toEqual([200, { code: 'JOB_DELETED_SUCCESSFULLY' }]);
    expect([(await c.job(job.id)).status, (await c.job(job.id)).body.code]).toEqual([404, 'JOB_NOT_FOUND']);
  });

  it('answers every error as { message, code } with their codes and statuses', async () => {
    const c = v1(f.a);
    const type = uniq('v1-err');
    const bad = async (p: Promise<{ status: number; body: any; headers: Headers }>, status: number, code: string) => {
      const r = await p;
      expect([r.status, r.body?.code], JSON.stringify(r.body)).toEqual([status, code]);
      expect(typeof r.body.message).toBe('string');
      expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    };
    await bad(c.createJob({ name: 'x', data: {} }), 400, 'VALIDATION_ERROR');
    await bad(c.createJob({ name: 'x'.repeat(51), data: {} }), 400, 'VALIDATION_ERROR');
    await bad(c.createJob({ name: 'ok name', data: {}, priority: 'SUPER_HIGH' }), 400, 'VALIDATION_ERROR');
    await bad(c.createJob({ name: 'ok name', data: {}, stages: [] }), 400, 'VALIDATION_ERROR');
    await bad(c.createJob({ name: 'ok name' }), 400, 'VALIDATION_ERROR');
    await bad(c.createJob({ name: 'ok name', data: {}, traceparent: 'nope' }), 400, 'VALIDATION_ERROR');
    await bad(f.a.post('/v1/jobs', '{"name":'), 400, 'VALIDATION_ERROR');
    await bad(f.a.get('/v1/jobs/not-a-uuid'), 400, 'VALIDATION_ERROR');
    await bad(f.a.get('/v1/jobs?from_date=yesterday'), 400, 'VALIDATION_ERROR');
    await bad(c.job(NONE), 404, 'JOB_NOT_FOUND');
    await bad(c.addStage(NONE, { type, data: {} }), 404, 'JOB_NOT_FOUND');
    await bad(f.a.get(`/v1/stages/${NONE}`), 404, 'STAGE_NOT_FOUND');
    await bad(c.addTasks(NONE, [{ data: {} }]), 404, 'STAGE_NOT_FOUND');
    await bad(c.task(NONE), 404, 'TASK_NOT_FOUND');
    await bad(c.setTask(NONE, 'COMPLETED'), 404, 'TASK_NOT_FOUND');
    await bad(c.setTask(NONE, 'PENDING'), 400, 'VALIDATION_ERROR');
    await bad(c.setJob(NONE, 'PAUSED'), 404, 'JOB_NOT_FOUND');
    await bad(c.setJob(NONE, 'COMPLETED'), 400, 'VALIDATION_ERROR');
    await bad(c.dequeue(type), 404, 'TASK_NOT_FOUND');
    await bad(f.a.get('/v1/no-such-route'), 404, 'ROUTE_NOT_FOUND');
    await bad(f.a.raw('PATCH', `/v1/tasks/${NONE}`), 404, 'ROUTE_NOT_FOUND');

    const { job, stage, tasks } = await jobWithTasks(f.a, type, 2);
    await bad(c.setTask(tasks[0].id, 'COMPLETED'), 400, 'ILLEGAL_TASK_STATUS_TRANSITION');
    await bad(c.addTasks(stage.id, [{ data: {}, maxAttempts: 0 }]), 400, 'VALIDATION_ERROR');
    await bad(c.addTasks(stage.id, [{ data: {}, unknown: 1 }]), 400, 'VALIDATION_ERROR');
    const d = await c.dequeue(type);
    await bad(c.addTasks(stage.id, [{ data: {} }]), 400, 'NOT_ALLOWED_TO_ADD_TASKS_TO_IN_PROGRESS_STAGE');
    await c.setTask(d.body.id, 'COMPLETED');
    await c.setTask((await c.dequeue(type)).body.id, 'COMPLETED');
    await bad(c.addTasks(stage.id, [{ data: {} }]), 400, 'STAGE_IN_FINITE_STATE');
    await bad(c.addStage(job.id, { type, data: {} }), 400, 'JOB_IN_FINITE_STATE');
    await bad(c.setJob(job.id, 'PAUSED'), 400, 'ILLEGAL_JOB_STATUS_TRANSITION');
  });

  it('replaces user metadata of jobs, stages and tasks', async () => {
    const { job, stage, tasks } = await jobWithTasks(f.a, uniq('v1-md'), 1, { userMetadata: { old: true } });
    expect((await f.a.raw('PATCH', `/v1/jobs/${job.id}/user-metadata`, { a: 1 })).body).toEqual({ code: 'JOB_MODIFIED_SUCCESSFULLY' });
    expect((await f.a.raw('PATCH', `/v1/stages/${stage.id}/user-metadata`, { b: 2 })).body).toEqual({ code: 'STAGE_MODIFIED_SUCCESSFULLY' });
    expect((await f.a.raw('PATCH', `/v1/tasks/${tasks[0].id}/user-metadata`, { c: 3 })).body).toEqual({ code: 'TASK_MODIFIED_SUCCESSFULLY' });
    expect((await f.a.get(`/v1/jobs/${job.id}`)).body.userMetadata).toEqual({ a: 1 });
    expect((await f.a.get(`/v1/stages/${stage.id}`)).body.userMetadata).toEqual({ b: 2 });
    expect((await f.a.get(`/v1/tasks/${tasks[0].id}`)).body.userMetadata).toEqual({ c: 3 });
    expect((await f.a.raw('PATCH', `/v1/stages/${NONE}/user-metadata`, {})).body.code).toBe('STAGE_NOT_FOUND');
    expect((await f.a.raw('PATCH', `/v1/tasks/${NONE}/user-metadata`, {})).body.code).toBe('TASK_NOT_FOUND');
    expect((await f.a.raw('PATCH', `/v1/jobs/${job.id}/user-metadata`, [1])).body.code).toBe('VALIDATION_ERROR');
  });

  it('lists jobs, stages and tasks as plain arrays with their filters', async () => {
    const name = uniq('v1-list');
    const type = uniq('v1-list-t');
    const a = await jobWithTasks(f.a, type, 2, { name, priority: 'HIGH' });
    const b = await jobWithTasks(f.a, type, 1, { name, priority: 'LOW' });
    const byName = await f.a.get(`/v1/jobs?job_name=${name}`);
    expect(byName.body.map((j: any) => j.id)).toEqual([a.job.id, b.job.id]);
    expect(byName.body[0].stages).toBeUndefined();
    expect((await f.a.get(`/v1/jobs?job_name=${name}&priority=LOW`)).body.map((j: any) => j.id)).toEqual([b.job.id]);
    const withStages = await f.a.get(`/v1/jobs?job_name=${name}&should_return_stages=true`);
    expect(withStages.body.map((j: any) => j.stages.length)).toEqual([1, 1]);
    const exact = a.job.creationTime;
    expect((await f.a.get(`/v1/jobs?job_name=${name}&from_date=${exact}&end_date=${exact}`)).body.map((j: any) => j.id)).toEqual([a.job.id]);
    expect((await f.a.get(`/v1/jobs?job_name=${name}&from_date=${new Date(Date.parse(b.job.creationTime) + 1).toISOString()}`)).body).toEqual([]);

    const stages = await f.a.get(`/v1/stages?stage_type=${type}`);
    expect(stages.body.map((s: any) => s.id).sort()).toEqual([a.stage.id, b.stage.id].sort());
    expect((await f.a.get(`/v1/stages?job_id=${b.job.id}&should_return_tasks=true`)).body).toMatchObject([{ id: b.stage.id, tasks: [{ id: b.tasks[0].id }] }]);
    await v1(f.a).dequeue(type); // a's first task (HIGH)
    expect((await f.a.get(`/v1/stages?stage_type=${type}&stage_operation_status=IN_PROGRESS`)).body.map((s: any) => s.id)).toEqual([a.stage.id]);
    expect((await f.a.get(`/v1/stages?stage_type=${type}&stage_operation_status=PENDING`)).body.map((s: any) => s.id)).toEqual([b.stage.id]);

    expect((await f.a.get(`/v1/tasks?stage_type=${type}`)).body).toHaveLength(3);
    expect((await f.a.get(`/v1/tasks?stage_type=${type}&status=IN_PROGRESS`)).body.map((t: any) => t.id)).toEqual([a.tasks[0].id]);
    expect((await f.a.get(`/v1/stages/${a.stage.id}/tasks`)).body.map((t: any) => t.id)).toEqual(a.tasks.map((t) => t.id));
    const t0 = a.tasks[0].creationTime;
    expect((await f.a.get(`/v1/tasks?stage_type=${type}&from_date=${new Date(Date.parse(b.tasks[0].creationTime) + 1).toISOString()}`)).body).toEqual([]);
    expect((await f.a.get(`/v1/tasks?stage_type=${type}&end_date=${t0}`)).body.every((t: any) => t.creationTime <= t0)).toBe(true);
    // A task's own creation time as both ends finds it (PostgreSQL keeps microseconds; the answer shows milliseconds).
    expect((await f.a.get(`/v1/tasks?stage_id=${a.stage.id}&from_date=${t0}&end_date=${t0}`)).body.map((t: any) => t.id)).toContain(a.tasks[0].id);
    // The last instant an end may name bounds nothing (it was a 400 from the database on /v1/jobs).
    const end = '9999-12-31T23:59:59.999Z';
    expect((await f.a.get(`/v1/jobs?job_name=${name}&end_date=${end}`)).body.map((j: any) => j.id)).toEqual([a.job.id, b.job.id]);
    expect((await f.a.get(`/v1/tasks?stage_type=${type}&end_date=${end}`)).body).toHaveLength(3);
  });

  it('records one report when several workers mark the same task at once; the others are refused or are repeats of it', async () => {
    const c = v1(f.a);
    const type = uniq('v1-race');
    const { stage } = await jobWithTasks(f.a, type, 1);
    const d = await c.dequeue(type);
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => c.setTask(d.body.id, i % 2 ? 'FAILED' : 'COMPLETED')));
    const ok = answers.filter((r) => r.status === 200);
    expect(ok.length, JSON.stringify(answers.map((r) => r.body))).toBeGreaterThanOrEqual(1);
    // A repeat of the report that won (same task, same run) is answered like our idempotent acks; it changes nothing.
    expect(new Set(ok.map((r) => r.body.status)).size).toBe(1);
    for (const r of answers.filter((x) => x.status !== 200)) expect([[400, 'ILLEGAL_TASK_STATUS_TRANSITION'], [409, 'TASK_STATUS_UPDATE_FAILED']]).toContainEqual([r.status, r.body.code]);
    const summary = (await f.a.get(`/v1/stages/${stage.id}/summary`)).body;
    expect(summary.total).toBe(1);
    expect(summary.inProgress).toBe(0);
    expect(summary.completed + summary.retried + summary.failed).toBe(1);
  });

  it('drives jobs created through our API, and our API controls /v1 jobs', async () => {
    const c = v1(f.a);
    const type = uniq('v1-ours');
    const ours = await f.a.post('/jobs', { name: uniq('ours'), priority: 'HIGH', stages: [{ type, tasks: [{ data: { a: 1 } }] }] });
    expect(ours.status).toBe(201);
    const seen = await c.job(ours.body.id, '?should_return_stages=true');
    expect(seen.body).toMatchObject({ status: 'PENDING', priority: 'HIGH', stages: [{ order: 1, type, status: 'PENDING', summary: { pending: 1, total: 1 } }] });
    const d = await c.dequeue(type);
    expect(d.body).toMatchObject({ data: { a: 1 }, attempts: 0, maxAttempts: 3 }); // runs, theirs as ours
    await c.setTask(d.body.id, 'COMPLETED');
    expect((await f.a.get(`/jobs/${ours.body.id}`)).body.status).toBe('COMPLETED');

    const theirs = await jobWithTasks(f.a, type, 1);
    expect((await f.a.post(`/jobs/${theirs.job.id}/suspend`)).status).toBe(200);
    expect((await c.job(theirs.job.id)).body.status).toBe('PAUSED');
    expect((await f.a.post(`/jobs/${theirs.job.id}/cancel`)).status).toBe(200);
    expect((await c.job(theirs.job.id)).body.status).toBe('ABORTED');
  });

  it('publishes the /v1 routes in the OpenAPI document under their own tag with their error shape', async () => {
    const doc = (await f.a.get('/openapi.json')).body;
    const op = doc.paths['/v1/stages/{stageType}/tasks/dequeue'].patch;
    expect(op).toMatchObject({ operationId: 'dequeueTaskV1', tags: ['v1'] });
    expect(op.responses['4XX'].content['application/json'].schema.$ref).toBe('#/components/schemas/V1Error');
    expect(doc.paths['/v1/jobs'].post.operationId).toBe('createJobV1');
  });
});

describe.each(testStores())('/v1 leases on %s', (store) => {
  // Their workers never heartbeat: a /v1 lease lasts v1.leaseMs; past it the sweeper takes the task back.
  const f = useManager(store, { v1: { leaseMs: 300 }, tasks: { sweepIntervalMs: 50 } });

  it('a task whose worker died is recovered after the /v1 lease as a retry', async () => {
    const c = v1(f.a);
    const type = uniq('v1-lease');
    const { tasks } = await jobWithTasks(f.a, type, 1, {}, { maxAttempts: 2 });
    const d = await c.dequeue(type);
    expect(d.body.status).toBe('IN_PROGRESS');
    const back = await waitFor(() => c.task(tasks[0].id), (r) => r.body.status === 'RETRIED');
    expect(back.body.attempts).toBe(1);
    const again = await c.dequeue(type);
    expect([again.body.id, again.body.attempts]).toEqual([tasks[0].id, 1]);
    expect((await c.setTask(again.body.id, 'COMPLETED')).body.status).toBe('COMPLETED');
  });
});

describe.each(testStores())('a producer and a worker shaped like their SDK on %s', (store) => {
  const f = useManager(store);
  let base = '';
  beforeAll(() => {
    base = f.m.url;
  });
  afterAll(() => undefined);

  /** Their SDK's calls, as raw HTTP: the producer creates a job, its stages and their tasks; the worker dequeues, reads and marks. */
  const http = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(base + path, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : undefined };
  };

  it('runs a multi-stage job to COMPLETED', async () => {
    const types = [uniq('sdk-tile'), uniq('sdk-pack')];
    // Producer
    const job = await http('POST', '/v1/jobs', { name: 'tile-export', data: { region: 'north' }, priority: 'HIGH', traceparent: TRACEPARENT });
    expect(job.status).toBe(201);
    for (const [i, type] of types.entries()) {
      const stage = await http('POST', `/v1/jobs/${job.body.id}/stage`, { type, data: { step: i }, userMetadata: {} });
      expect(stage.status).toBe(201);
      const created = await http('POST', `/v1/stages/${stage.body.id}/tasks`, Array.from({ length: 3 }, (_, n) => ({ data: { n }, maxAttempts: 2 })));
      expect(created.status).toBe(201);
    }
    // Worker: poll each stage type; a 404 means nothing is ready. The first task of each stage fails once.
    const failedOnce = new Set<string>();
    let handled = 0;
    await waitFor(
      async () => {
        for (const type of types) {
          const d = await http('PATCH', `/v1/stages/${type}/tasks/dequeue`);
          if (d.status === 404) continue;
          expect(d.status).toBe(200);
          const stage = await http('GET', `/v1/stages/${d.body.stageId}`);
          const parent = await http('GET', `/v1/jobs/${stage.body.jobId}`);
          expect([stage.body.type, parent.body.name]).toEqual([type, 'tile-export']);
          const current = await http('GET', `/v1/tasks/${d.body.id}`);
          expect(current.body.status).toBe('IN_PROGRESS');
          const fail = d.body.data.n === 0 && !failedOnce.has(d.body.id);
          if (fail) failedOnce.add(d.body.id);
          const marked = await http('PUT', `/v1/tasks/${d.body.id}/status`, { status: fail ? 'FAILED' : 'COMPLETED' });
          expect(marked.status).toBe(200);
          handled++;
        }
        return (await http('GET', `/v1/jobs/${job.body.id}`)).body;
      },
      (j) => j.status === 'COMPLETED',
      { timeoutMs: 30_000 },
    );
    expect(handled).toBe(8);
    const final = await http('GET', `/v1/jobs/${job.body.id}?should_return_stages=true`);
    expect(final.body.stages.map((s: any) => [s.order, s.status, s.summary.completed])).toEqual([[1, 'COMPLETED', 3], [2, 'COMPLETED', 3]]);
    const tasks = await http('GET', `/v1/stages/${final.body.stages[0].id}/tasks`);
    expect(tasks.body.map((t: any) => t.attempts).sort()).toEqual([0, 0, 1]);
  });
});
