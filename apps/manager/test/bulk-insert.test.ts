// Bulk task creation stores every task as sent, in order: per-task settings that differ from their
// neighbours', data of every JSON kind (null, false, 0, strings, arrays), metadata and runAfter.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testStores, type TestManager } from '../src/testing.js';
import { type Api, managerWithApi } from './api.js';

describe.each(testStores())('bulk task insert on %s', (store) => {
  let m: TestManager;
  let a: Api;
  beforeAll(async () => ({ m, a } = await managerWithApi(store)));
  afterAll(() => m.close());

  it('keeps each task’s own fields and the request order across settings groups and stages', async () => {
    const later = new Date(Date.now() + 3_600_000).toISOString();
    const first = [
      { data: null },
      { data: false, maxAttempts: 7 },
      { data: 0, userMetadata: { k: 'v' } },
      { data: 'text', backoff: { baseMs: 5, maxMs: 50, jitter: 0 }, timeoutMs: 1_000 },
      { data: [1, 2], runAfter: later, maxAttempts: 7 },
      { data: { nested: { deep: true } } },
      {},
    ];
    const res = await a.post('/jobs', {
      name: 'bulk',
      stages: [
        { type: 'bulk-a', taskDefaults: { maxAttempts: 2 }, tasks: first },
        { type: 'bulk-b', tasks: [{ data: 'b0' }, { data: 'b1', maxAttempts: 9 }] },
      ],
    });
    expect(res.status).toBe(201);
    const job = (await a.get(`/jobs/${res.body.id}?include=tasks`)).body;
    const [sa, sb] = job.stages;
    expect(sa.tasks.map((t: any) => t.data)).toEqual([null, false, 0, 'text', [1, 2], { nested: { deep: true } }, null]);
    expect(sa.tasks.map((t: any) => t.maxAttempts)).toEqual([2, 7, 2, 2, 7, 2, 2]);
    expect(sa.tasks.map((t: any) => t.userMetadata)).toEqual([{}, {}, { k: 'v' }, {}, {}, {}, {}]);
    expect(sa.tasks[3]).toMatchObject({ backoff: { baseMs: 5, maxMs: 50, jitter: 0 }, timeoutMs: 1_000 });
    expect(sa.tasks.filter((t: any) => t.timeoutMs !== null)).toHaveLength(1);
    expect(Date.parse(sa.tasks[4].runAfter)).toBe(Date.parse(later));
    expect(Date.parse(sa.tasks[0].runAfter)).toBeLessThan(Date.parse(later));
    expect(sa.tasks.every((t: any) => t.status === 'PENDING' && t.priority === 'MEDIUM')).toBe(true);
    expect(sb.tasks.map((t: any) => [t.data, t.maxAttempts, t.status])).toEqual([
      ['b0', 3, 'WAITING'],
      ['b1', 9, 'WAITING'],
    ]);
    expect(sa.summary).toMatchObject({ pending: 7, total: 7 });
  });

  it('keeps control characters, empty strings and sparse fields exactly as sent', async () => {
    // The insert sends each per-task column as one text split on U+001E: a value holding it must survive whole.
    const odd = 'a\u001eb\u001fc\u0001\n\t"\\';
    const later = new Date(Date.now() + 3_600_000).toISOString();
    const tasks = [
      { data: odd, userMetadata: { [odd]: odd } },
      { data: '' },
      { data: { k: '' }, userMetadata: { only: 'second-to-last' }, runAfter: later },
      { data: [odd, '', null] },
    ];
    const res = await a.post('/jobs', { name: 'odd', stages: [{ type: 'odd', tasks }, { type: 'odd-b', tasks: [{ runAfter: later }] }] });
    expect(res.status).toBe(201);
    const [sa, sb] = (await a.get(`/jobs/${res.body.id}?include=tasks`)).body.stages;
    expect(sa.tasks.map((t: any) => t.data)).toEqual([odd, '', { k: '' }, [odd, '', null]]);
    expect(sa.tasks.map((t: any) => t.userMetadata)).toEqual([{ [odd]: odd }, {}, { only: 'second-to-last' }, {}]);
    expect(sa.tasks.map((t: any) => Date.parse(t.runAfter) === Date.parse(later))).toEqual([false, false, true, false]);
    expect(sb.tasks.map((t: any) => [t.data, t.userMetadata, Date.parse(t.runAfter)])).toEqual([[null, {}, Date.parse(later)]]);

    const added = await a.post(`/stages/${sa.id}/tasks`, { tasks: [{ data: odd }, {}] });
    expect(added.status).toBe(201);
    const read = await Promise.all((added.body.taskIds as string[]).map(async (id) => (await a.get(`/tasks/${id}`)).body.data));
    expect(read).toEqual([odd, null]);
  });

  it('appends tasks to a stage and answers their ids in the order sent', async () => {
    const job = (await a.post('/jobs', { name: 'append', stages: [{ type: 'append', tasks: [{ data: 0 }] }] })).body;
    const stageId = job.stages[0].id;
    const added = await a.post(`/stages/${stageId}/tasks`, { tasks: Array.from({ length: 300 }, (_, i) => ({ data: i + 1, ...(i % 3 === 0 ? { maxAttempts: 4 } : {}) })) });
    expect(added.status).toBe(201);
    const ids: string[] = added.body.taskIds;
    expect(ids).toHaveLength(300);
    for (const [i, id] of ids.entries()) {
      const t = (await a.get(`/tasks/${id}`)).body;
      expect([t.data, t.maxAttempts]).toEqual([i + 1, i % 3 === 0 ? 4 : 3]);
      if (i >= 20) break; // the first ones, across both settings groups, are enough
    }
  });

  it('gives tasks version-7 UUIDs stamped with their creation time, unique across big requests', async () => {
    const before = Date.now();
    const first = (await a.post('/jobs', { name: 'ids', stages: [{ type: 'ids', tasks: Array.from({ length: 5_000 }, (_, i) => ({ data: i })) }] })).body;
    const second = (await a.post('/jobs', { name: 'ids', stages: [{ type: 'ids', tasks: Array.from({ length: 5_000 }, (_, i) => ({ data: i })) }] })).body;
    const after = Date.now();
    const idsOf = async (jobId: string) => {
      const ids: string[] = [];
      for (let cursor: string | null = null; ; ) {
        const page = (await a.get(`/tasks?jobId=${jobId}&limit=1000${cursor ? `&cursor=${cursor}` : ''}`)).body;
        ids.push(...page.items.map((t: any) => t.id));
        if (!(cursor = page.nextCursor)) return ids;
      }
    };
    const ids = [...(await idsOf(first.id)), ...(await idsOf(second.id))];
    expect(ids).toHaveLength(10_000);
    expect(new Set(ids).size).toBe(10_000);
    const msOf = (id: string) => parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
    for (const id of ids) {
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(msOf(id)).toBeGreaterThanOrEqual(before);
      expect(msOf(id)).toBeLessThanOrEqual(after);
    }
    // Time comes first: the later request's ids sort after the earlier's, so the primary key grows at its right edge.
    expect(Math.max(...ids.slice(0, 5_000).map(msOf))).toBeLessThanOrEqual(Math.min(...ids.slice(5_000).map(msOf)));
  });
});
