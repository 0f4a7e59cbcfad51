// A stage type that many tenants have used: each (tenant, stage type) keeps its queue after its work is done, and a
// tenant-agnostic worker's dequeue looks at the queues of its stage types. Only the queues that can hold ready work —
// an open stage, or a scan mark of this replica — are looked into; the others cost one index probe each.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Row } from '../src/db/db.js';
import { DEQUEUE } from '../src/store/dequeue.js';
import { QUEUE_DEPTH_SQL } from '../src/store/queues.js';
import { testStores } from '../src/testing.js';
import type { Api } from './api.js';
import { useManager, useManagerWithSideClients } from './fixtures.js';
import { complete, createTasks, lease, leaseUntilRefused } from './flow-helpers.js';

/** Tenants that ran one task of the stage type and are done with it. */
const DONE_TENANTS = 300;

async function tenantsDone(a: Api, stageType: string): Promise<void> {
  for (let i = 0; i < DONE_TENANTS; i++) await createTasks(a, `done-${i}`, stageType, 1);
  const leased = await leaseUntilRefused(a, [stageType], 1_000);
  expect(leased).toHaveLength(DONE_TENANTS);
  await complete(a, leased);
  const queues = (await a.get('/queues')).body.items.filter((q: { name: string }) => q.name === stageType);
  expect(queues).toHaveLength(DONE_TENANTS);
  expect(queues.every((q: { depth: { ready: number; inProgress: number } }) => q.depth.ready === 0 && q.depth.inProgress === 0)).toBe(true);
}

describe.each(testStores())('idle queues of a stage type on %s', (store) => {
  const f = useManager(store);
  beforeAll(() => tenantsDone(f.a, 'iq'));

  it("a new tenant's tasks, and a done tenant's new ones, are leased by the next dequeue", async () => {
    await createTasks(f.a, 'iq-new', 'iq', 2);
    const first = await lease(f.a, ['iq'], 10);
    expect(first.map((t) => [t.data.tenantId, t.data.i])).toEqual(expect.arrayContaining([['iq-new', 0], ['iq-new', 1]]));
    expect(first).toHaveLength(2);
    // A tenant whose queue this replica leased from before (and whose stage has finished since) has new work.
    await createTasks(f.a, 'done-7', 'iq', 1);
    const again = await lease(f.a, ['iq'], 10);
    expect(again.map((t) => t.data.tenantId)).toEqual(['done-7']);
    await complete(f.a, [...first, ...again]);
    expect(await lease(f.a, ['iq'], 10)).toEqual([]);
  });

  it('a delayed retry in one tenant is found by the empty dequeue that waits for it', async () => {
    const r = await f.a.post('/jobs', {
      name: 'iq-retry',
      tenantId: 'iq-retry',
      stages: [{ type: 'iq', tasks: [{ data: { tenantId: 'iq-retry', i: 0 }, maxAttempts: 2, backoff: { baseMs: 300, jitter: 0 } }] }],
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const [task] = await lease(f.a, ['iq'], 10);
    const failed = await f.a.post('/tasks/fail', { items: [{ taskId: task!.id, leaseToken: task!.leaseToken, error: { message: 'once' } }] });
    expect(failed.body.items[0].ok, JSON.stringify(failed.body)).toBe(true);
    // Nothing is ready until the backoff ends; a long poll returns the task once it is due.
    expect(await lease(f.a, ['iq'], 10)).toEqual([]);
    const polled = await lease(f.a, ['iq'], 10, { waitMs: 10_000 });
    expect(polled.map((t) => t.id)).toEqual([task!.id]);
  });
});

describe.runIf(testStores().includes('postgres'))('the cost of idle queues to a dequeue (postgres)', () => {
  const f = useManagerWithSideClients();
  beforeAll(() => tenantsDone(f.a, 'iq-cost'));

  /** The shared buffers a tenant-agnostic dequeue of the stage type touches (explained, then rolled back). */
  async function dequeueBuffers(stageType: string): Promise<{ leased: number; buffers: number }> {
    await f.side.query('BEGIN');
    try {
      const params = [[stageType], null, 'cost-probe', 100, 30_000, false, '[]', false];
      const plan = (await f.side.query<{ 'QUERY PLAN': { Plan: Row }[] }>(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${DEQUEUE.text}`, params)).rows[0]!['QUERY PLAN'][0]!.Plan;
      const leased = (await f.side.query<{ n: number }>(`SELECT count(*)::int AS n FROM tasks WHERE lease_worker = 'cost-probe'`)).rows[0]!.n;
      return { leased, buffers: Number(plan['Shared Hit Blocks']) + Number(plan['Shared Read Blocks']) };
    } finally {
      await f.side.query('ROLLBACK');
    }
  }

  it('a queue whose stages have all finished costs a dequeue one index probe, not a look at each priority', async () => {
    // The same lease (50 tasks of one tenant) from a stage type no one else has used, and from one the done tenants used.
    await createTasks(f.a, 'iq-busy', 'iq-alone', 50);
    await createTasks(f.a, 'iq-busy', 'iq-cost', 50);
    const alone = await dequeueBuffers('iq-alone');
    const beside = await dequeueBuffers('iq-cost');
    expect([alone.leased, beside.leased]).toEqual([50, 50]);
    // Each done tenant's queue: the probe of its open stages (2 buffers, and the heap of its stage, finished but not
    // yet vacuumed): ~3 a queue. Looking for ready tasks at each of its five priorities and at its rate limits cost
    // ~16 a queue before (5,820 buffers against 1,095 alone).
    const perDoneQueue = (beside.buffers - alone.buffers) / DONE_TENANTS;
    expect(perDoneQueue).toBeLessThan(6);
  });

  it("a done tenant's queue in GET /queues and the /metrics scrape is read from its stages, without a look at tasks", async () => {
    const sql = `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${QUEUE_DEPTH_SQL} WHERE q.name = $1 AND q.tenant_id LIKE 'done-%'`;
    const plan = (await f.side.query<{ 'QUERY PLAN': { Plan: Row }[] }>(sql, ['iq-cost'])).rows[0]!['QUERY PLAN'][0]!.Plan;
    /** Executions of plan nodes that read the tasks table (its heap or one of its indexes). */
    const taskScans = (node: Row): number =>
      (node['Relation Name'] === 'tasks' ? Number(node['Actual Loops']) : 0) + ((node.Plans as Row[] | undefined) ?? []).reduce((n, child) => n + taskScans(child), 0);
    // The depth of a queue without an open stage is 0 throughout (a task's stage is open until the task ends): its
    // running and delayed tasks are not looked for (before: 600 scans here, two a queue).
    expect(taskScans(plan)).toBe(0);
    const queues = (await f.a.get('/queues')).body.items.filter((q: { name: string; tenantId: string }) => q.name === 'iq-cost' && q.tenantId.startsWith('done-'));
    expect(queues).toHaveLength(DONE_TENANTS);
  });
});
