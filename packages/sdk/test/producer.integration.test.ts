// The producer's API surface against a real manager: building a job up, reading it back, paging, steering.
import { describe, expect, it } from 'vitest';
import { testStores, waitFor } from '@jobnik/manager/testing';
import { ConflictError, NotFoundError } from '../src/index.js';
import { useManager } from './helpers/manager.js';

describe.each(testStores())('ProducerClient (%s)', (store) => {
  const m = useManager(store);

  it('builds a job in steps (addStage, addTasks) and reads it back with stages, tasks and summaries', async () => {
    const p = m.producer();
    const [first, second] = [m.unique('first'), m.unique('second')];
    const job = await p.createJob('steps', { data: { owner: 'me' }, userMetadata: { team: 'maps' }, priority: 'LOW' });
    const stage = await p.addStage(job.id, { type: first, data: { zoom: 1 }, tasks: [{ data: 1 }] });
    const added = await p.addTasks(stage.id, [{ data: 2 }, { data: 3 }]);
    expect(added.created).toBe(2);
    expect(added.taskIds).toHaveLength(2);
    await p.addStage(job.id, { type: second, tasks: [{ data: 'x' }] });

    const full = await p.getJob(job.id, { include: ['stages', 'tasks'] });
    expect(full).toMatchObject({ name: 'steps', priority: 'LOW', data: { owner: 'me' }, userMetadata: { team: 'maps' } });
    expect(full.stages!.map((s) => [s.type, s.order, s.tasks!.length])).toEqual([
      [first, 0, 3],
      [second, 1, 1],
    ]);
    expect(await p.getStageSummary(stage.id)).toMatchObject({ total: 3, pending: 3 });
    expect((await p.getStage(stage.id)).data).toEqual({ zoom: 1 });
    const task = await p.getTask(added.taskIds[0]!);
    expect(task).toMatchObject({ data: 2, stageId: stage.id, status: 'PENDING' });
    expect((await p.getJob(job.id)).stages).toBeUndefined();

    const updated = await p.updateJob(job.id, { priority: 'VERY_HIGH', userMetadata: { team: 'tiles' } });
    expect(updated).toMatchObject({ priority: 'VERY_HIGH', userMetadata: { team: 'tiles' } });
  });

  it('lists jobs by filter and walks every page with iterateJobs', async () => {
    const p = m.producer();
    const name = m.unique('paged');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await p.createJob(name, { stages: [{ type: m.unique('s'), tasks: [{ data: i }] }] })).id);
    const firstPage = await p.listJobs({ name, limit: 2, sort: 'createdAt' });
    expect(firstPage.items).toHaveLength(2);
    expect(firstPage.nextCursor).not.toBeNull();
    const all: string[] = [];
    for await (const j of p.iterateJobs({ name, limit: 2, status: ['PENDING', 'IN_PROGRESS'] })) all.push(j.id);
    expect(all.sort()).toEqual([...ids].sort());
    expect((await p.listJobs({ name, status: 'COMPLETED' })).items).toEqual([]);
  });

  it('filters queues by stage type and to those with work, and walks them page by page with iterateQueues', async () => {
    const p = m.producer();
    const [busy, done] = [m.unique('busy'), m.unique('done')];
    await p.createJob(m.unique('q'), { stages: [{ type: busy, tasks: [{ data: 1 }] }] });
    const job = await p.createJob(m.unique('q'), { stages: [{ type: done, tasks: [{ data: 1 }] }] });
    await p.cancelJob(job.id); // its stage ends; its queue stays, idle
    await p.createJob(m.unique('q'), { stages: ['a', 'b', 'c'].map((s) => ({ type: m.unique(s), tasks: [{ data: s }] })) });
    expect((await p.listQueues({ stageType: busy })).map((q) => [q.name, q.depth.ready])).toEqual([[busy, 1]]);
    expect((await p.listQueues({ stageType: done })).map((q) => [q.name, q.depth.ready])).toEqual([[done, 0]]);
    expect(await p.listQueues({ stageType: done, active: true })).toEqual([]);
    const active = (await p.listQueues({ active: true })).map((q) => q.name);
    expect(active).toContain(busy);
    expect(active).not.toContain(done);
    const all = (await p.listQueues()).map((q) => `${q.tenantId}/${q.name}`);
    expect(all.length).toBeGreaterThan(4); // three pages of two at least
    const walked: string[] = [];
    for await (const q of p.iterateQueues({ limit: 2 })) walked.push(`${q.tenantId}/${q.name}`);
    expect(walked).toEqual(all);
  });

  it('cancels, retries and deletes; queues can be paused; workers and stats are visible', async () => {
    const p = m.producer();
    const type = m.unique('steer');
    const job = await p.createJob('steer', { stages: [{ type, tasks: [{ data: 1 }, { data: 2 }] }] });
    await expect(p.deleteJob(job.id)).rejects.toBeInstanceOf(ConflictError);

    const queue = await p.updateQueue(type, { paused: true });
    expect(queue).toMatchObject({ name: type, paused: true });
    const worker = m.worker({ concurrency: 2, waitMs: 300 });
    let ran = 0;
    worker.handle(type, () => void ran++);
    await worker.start();
    await waitFor(async () => (await p.listWorkers()).some((w) => w.id === worker.workerId), { message: 'worker registered' });
    expect(ran).toBe(0); // paused queue: nothing handed out
    expect((await p.listQueues()).find((q) => q.name === type)?.depth.ready).toBe(2);

    const [first] = (await p.listTasks({ jobId: job.id })).items;
    expect((await p.cancelTask(first!.id)).status).toBe('ABORTED');
    expect((await p.cancelJob(job.id)).status).toBe('ABORTED');
    expect((await p.retryJob(job.id)).status).not.toBe('ABORTED');
    await p.updateQueue(type, { paused: false });
    const done = await p.waitForJob(job.id, { pollMs: 50, timeoutMs: 10_000 });
    expect(done.status).toBe('COMPLETED');
    expect(ran).toBe(2);
    const stats = await p.getStats();
    expect(stats.tasksByStageType.find((s) => s.stageType === type)?.counts.COMPLETED).toBe(2);

    await p.deleteJob(job.id);
    await expect(p.getJob(job.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('holds a stage while its tasks arrive in several calls, with a worker waiting; releaseStage lets every one run', async () => {
    const p = m.producer();
    const type = m.unique('held');
    const worker = m.worker({ concurrency: 4, waitMs: 300 });
    let ran = 0;
    worker.handle(type, () => void ran++);
    await worker.start();
    await waitFor(async () => (await p.listWorkers()).some((w) => w.id === worker.workerId), { message: 'worker registered' });

    const job = await p.createJob('held', { stages: [{ type, hold: true }] });
    const stageId = job.stages![0]!.id;
    for (let chunk = 0; chunk < 3; chunk++) await p.addTasks(stageId, Array.from({ length: 20 }, (_, i) => ({ data: chunk * 20 + i })));
    // The worker polled all along: a dequeue after the last call still finds nothing of the held stage.
    expect((await p.getStage(stageId)).summary).toMatchObject({ waiting: 60, inProgress: 0, completed: 0 });
    expect(ran).toBe(0);

    const released = await p.releaseStage(stageId);
    expect(released.held).toBe(false);
    expect(released.status).not.toBe('WAITING'); // the worker may have leased some before the answer was read
    expect((await p.waitForJob(job.id, { pollMs: 50, timeoutMs: 10_000 })).status).toBe('COMPLETED');
    expect(ran).toBe(60);
    await expect(p.releaseStage(stageId)).rejects.toBeInstanceOf(ConflictError);
  });
});
