// GET /queues for an operator with many tenants: each (tenant, stage type) keeps its queue after its work is done, so
// the listing filters by stage type and to the queues with work that has not ended (`active=true`), and pages with
// `limit` and `cursor` (keyset on tenant, stage type: a page boundary neither repeats nor skips a queue, whatever is
// created meanwhile). Without `limit` it is every matching queue in one answer, as before.
import { beforeAll, describe, expect, it } from 'vitest';
import { testStores } from '../src/testing.js';
import type { Api } from './api.js';
import { useManager } from './fixtures.js';
import { complete, createTasks, lease, leaseUntilRefused } from './flow-helpers.js';

interface Listed {
  tenantId: string;
  name: string;
  paused: boolean;
  depth: Record<string, number>;
}

const key = (q: Listed) => `${q.tenantId}/${q.name}`;

async function list(a: Api, query: string): Promise<{ items: Listed[]; nextCursor: string | null }> {
  const r = await a.get(`/queues${query}`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}

/** Every page of a listing, following nextCursor; checks each page's size. */
async function walk(a: Api, query: string, limit: number): Promise<Listed[]> {
  const all: Listed[] = [];
  let cursor: string | null = null;
  do {
    const page = await list(a, `?${query}${query ? '&' : ''}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(page.items.length).toBeLessThanOrEqual(limit);
    if (page.nextCursor) expect(page.items).toHaveLength(limit);
    all.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}

describe.each(testStores())('listing queues on %s', (store) => {
  const f = useManager(store);

  /** Queues whose work is done (ql-x of five tenants), with work (ql-y of t-1 … t-3), and configured only (t-9 ql-x). */
  beforeAll(async () => {
    for (let i = 1; i <= 5; i++) await createTasks(f.a, `t-${i}`, 'ql-x', 1);
    await complete(f.a, await leaseUntilRefused(f.a, ['ql-x'], 100));
    await createTasks(f.a, 't-1', 'ql-y', 2); // ready
    await createTasks(f.a, 't-2', 'ql-y', 1);
    await lease(f.a, ['ql-y'], 1); // t-1's first or t-2's: leased, running
    await createTasks(f.a, 't-3', 'ql-y', 1);
    expect((await f.a.patch('/queues/ql-y?tenantId=t-3', { paused: true })).status).toBe(200); // paused, with its task
    expect((await f.a.patch('/queues/ql-x?tenantId=t-9', { paused: true })).status).toBe(200); // paused, no work ever
  });

  it('lists every queue in tenant then stage type order without a limit, as before', async () => {
    const all = await list(f.a, '');
    expect(all.nextCursor).toBeNull();
    expect(all.items.map(key)).toEqual(['t-1/ql-x', 't-1/ql-y', 't-2/ql-x', 't-2/ql-y', 't-3/ql-x', 't-3/ql-y', 't-4/ql-x', 't-5/ql-x', 't-9/ql-x']);
  });

  it('filters to one stage type, to the queues with work, and to both', async () => {
    expect((await list(f.a, '?stageType=ql-y')).items.map(key)).toEqual(['t-1/ql-y', 't-2/ql-y', 't-3/ql-y']);
    // Work that has not ended: ready, running, or held by a paused queue; not the done tenants, not the configured-only queue.
    const active = (await list(f.a, '?active=true')).items;
    expect(active.map(key)).toEqual(['t-1/ql-y', 't-2/ql-y', 't-3/ql-y']);
    expect(active.reduce((n, q) => n + q.depth.ready + q.depth.inProgress, 0)).toBe(4);
    expect(active.find((q) => q.tenantId === 't-3')).toMatchObject({ paused: true, depth: { ready: 1 } });
    expect((await list(f.a, '?active=false')).items).toHaveLength(9);
    expect((await list(f.a, '?active=true&stageType=ql-x')).items).toEqual([]);
    expect((await list(f.a, '?tenantId=t-2&active=true')).items.map(key)).toEqual(['t-2/ql-y']);
    expect((await list(f.a, '?stageType=unused')).items).toEqual([]);
  });

  it('pages through the same queues as one answer, the last page saying there is no more', async () => {
    const all = (await list(f.a, '')).items.map(key);
    for (const limit of [1, 2, 4, 9, 10]) expect((await walk(f.a, '', limit)).map(key), `limit ${limit}`).toEqual(all);
    const exact = await list(f.a, '?limit=9');
    expect([exact.items.length, exact.nextCursor]).toEqual([9, null]);
    expect((await walk(f.a, 'stageType=ql-x', 2)).map(key)).toEqual(all.filter((k) => k.endsWith('/ql-x')));
    expect((await walk(f.a, 'active=true', 2)).map(key)).toEqual(['t-1/ql-y', 't-2/ql-y', 't-3/ql-y']);
  });

  it('a page boundary neither repeats nor skips a queue when queues are created between pages', async () => {
    const first = await list(f.a, '?stageType=ql-z&limit=2');
    expect(first.items).toEqual([]);
    for (const t of ['m-2', 'm-4']) await createTasks(f.a, t, 'ql-z', 1);
    const page1 = await list(f.a, '?stageType=ql-z&limit=1');
    expect(page1.items.map(key)).toEqual(['m-2/ql-z']);
    // One before the boundary, one after it.
    for (const t of ['m-1', 'm-3']) await createTasks(f.a, t, 'ql-z', 1);
    const rest = await list(f.a, `?stageType=ql-z&limit=5&cursor=${encodeURIComponent(page1.nextCursor!)}`);
    expect(rest.items.map(key)).toEqual(['m-3/ql-z', 'm-4/ql-z']);
    expect(rest.nextCursor).toBeNull();
  });

  it('refuses a bad page size, flag or cursor with a problem naming the parameter', async () => {
    const forged = Buffer.from(JSON.stringify([1, 2])).toString('base64url');
    for (const [query, path] of [
      ['?limit=0', '/query/limit'],
      ['?limit=1001', '/query/limit'],
      ['?limit=two', '/query/limit'],
      ['?limit=0x10', '/query/limit'],
      ['?limit=1e2', '/query/limit'],
      ['?active=yes', '/query/active'],
      ['?cursor=abc', '/query/cursor'],
      [`?cursor=${forged}`, '/query/cursor'],
      ['?stageType=has%20space', '/query/stageType'],
      ['?sort=name', '/query'],
    ] as const) {
      const r = await f.a.get(`/queues${query}`);
      expect(r.status, query).toBe(400);
      expect(r.headers.get('content-type'), query).toMatch(/^application\/problem\+json/);
      expect(r.body.code, query).toBe('VALIDATION_FAILED');
      expect(r.body.errors.map((e: { path: string }) => e.path), query).toContain(path);
    }
  });
});
