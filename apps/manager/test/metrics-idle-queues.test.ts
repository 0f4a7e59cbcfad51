// Each (tenant, stage type) keeps its queue after its work is done, so an install with many tenants exported six
// series per queue ever used. With metrics.idleQueues false the scrape carries only the queues with work that has
// not ended, and the paused ones; a queue leaves the scrape when its work ends and comes back with new work.
// jobnik_queue_depth_up says the depths were read, so "no series" means "no work" rather than "not read".
import { beforeAll, describe, expect, it } from 'vitest';
import { testStores } from '../src/testing.js';
import type { Api } from './api.js';
import { useManager } from './fixtures.js';
import { complete, createTasks, lease, leaseUntilRefused, type Leased } from './flow-helpers.js';

interface Scrape {
  /** tenant/stage type of every queue with depth series, and of every queue with a paused series. */
  depth: string[];
  paused: string[];
  value: (tenant: string, stageType: string, status: string) => number | undefined;
  up: number | undefined;
}

async function scrape(a: Api): Promise<Scrape> {
  const r = await a.get<string>('/metrics');
  expect(r.status).toBe(200);
  const text = r.body;
  const keys = (re: RegExp) => [...text.matchAll(re)].map((m) => `${m[1]}/${m[2]}`).sort();
  return {
    depth: keys(/^jobnik_queue_depth\{tenant="([^"]*)",stage_type="([^"]*)",status="ready"\} \d+$/gm),
    paused: keys(/^jobnik_queue_paused\{tenant="([^"]*)",stage_type="([^"]*)"\} [01]$/gm),
    value: (tenant, stageType, status) => {
      const m = new RegExp(`^jobnik_queue_depth\\{tenant="${tenant}",stage_type="${stageType}",status="${status}"\\} (\\d+)$`, 'm').exec(text);
      return m ? Number(m[1]) : undefined;
    },
    up: ((m) => (m ? Number(m[1]) : undefined))(/^jobnik_queue_depth_up (\d+)$/m.exec(text)),
  };
}

/** Done queues (t-1 … t-3 on mi-x), one with work (t-1 mi-y: one ready, one running), one paused with work (t-3 mi-y), one paused without (t-9 mi-x), one configured only (t-8 mi-z). */
async function seed(a: Api): Promise<Leased[]> {
  for (let i = 1; i <= 3; i++) await createTasks(a, `t-${i}`, 'mi-x', 1);
  await complete(a, await leaseUntilRefused(a, ['mi-x'], 100));
  await createTasks(a, 't-1', 'mi-y', 2);
  const running = await lease(a, ['mi-y'], 1);
  expect(running).toHaveLength(1);
  await createTasks(a, 't-3', 'mi-y', 1);
  expect((await a.patch('/queues/mi-y?tenantId=t-3', { paused: true })).status).toBe(200);
  expect((await a.patch('/queues/mi-x?tenantId=t-9', { paused: true })).status).toBe(200);
  expect((await a.patch('/queues/mi-z?tenantId=t-8', { weight: 2 })).status).toBe(200);
  return running;
}

describe.each(testStores())('the queue gauges of idle queues on %s', (store) => {
  describe('by default (metrics.idleQueues true)', () => {
    const f = useManager(store);
    beforeAll(() => seed(f.a));

    it('carries every queue, idle ones at 0', async () => {
      const s = await scrape(f.a);
      const all = ['t-1/mi-x', 't-1/mi-y', 't-2/mi-x', 't-3/mi-x', 't-3/mi-y', 't-8/mi-z', 't-9/mi-x'];
      expect(s.depth).toEqual(all);
      expect(s.paused).toEqual(all);
      expect(s.value('t-2', 'mi-x', 'ready')).toBe(0);
      expect(s.up).toBe(1);
    });
  });

  describe('with metrics.idleQueues false', () => {
    const f = useManager(store, { metrics: { idleQueues: false } });
    let running: Leased[];
    beforeAll(async () => (running = await seed(f.a)));

    it('carries the queues with work and the paused ones only', async () => {
      const s = await scrape(f.a);
      expect(s.depth).toEqual(['t-1/mi-y', 't-3/mi-y', 't-9/mi-x']);
      expect(s.paused).toEqual(['t-1/mi-y', 't-3/mi-y', 't-9/mi-x']);
      expect([s.value('t-1', 'mi-y', 'ready'), s.value('t-1', 'mi-y', 'in_progress')]).toEqual([1, 1]);
      expect(s.value('t-3', 'mi-y', 'ready')).toBe(1);
      expect(s.up).toBe(1);
      // The API still lists every queue.
      expect((await f.a.get('/queues')).body.items).toHaveLength(7);
    });

    it('drops a queue from the scrape when its work ends and brings it back with new work', async () => {
      // t-1's running task and its ready one (t-3's is paused): its stage and job complete.
      await complete(f.a, [...running, ...(await leaseUntilRefused(f.a, ['mi-y'], 100))]);
      expect((await scrape(f.a)).depth).toEqual(['t-3/mi-y', 't-9/mi-x']);

      await createTasks(f.a, 't-2', 'mi-x', 3);
      const s = await scrape(f.a);
      expect(s.depth).toEqual(['t-2/mi-x', 't-3/mi-y', 't-9/mi-x']);
      expect(s.value('t-2', 'mi-x', 'ready')).toBe(3);
    });
  });
});
