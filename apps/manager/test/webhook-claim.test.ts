// The webhook claim's two ways to its candidates hand out the same events, on both stores: walking the endpoints that
// have undelivered events (each one's oldest due events, as many as its free slots) and ranking every due event (used
// when more endpoints than CLAIM_WALK_ENDPOINTS are pending). Caps per endpoint and per tenant, turns between
// endpoints, events not yet due and settled ones are the same either way. Each claim runs in a transaction that is
// rolled back, so the manager's own dispatcher never sees these events.
import { describe, expect, it } from 'vitest';
import type { Queryable } from '../src/db/db.js';
import { claimWebhookEvents, type ClaimLimits } from '../src/store/webhooks.js';
import { testStores } from '../src/testing.js';
import { useManager } from './fixtures.js';

class RolledBack extends Error {}

/** Each event: tenant, url, due in seconds (negative: past), settled. Inserted in this order; ids returned. */
type Seed = [tenant: string, url: string, dueInS: number, settled?: boolean];

async function seed(tx: Queryable, events: Seed[]): Promise<string[]> {
  const ids: string[] = [];
  for (const [tenant, url, dueInS, settled] of events) {
    const [row] = await tx.query<{ id: string }>(
      `INSERT INTO webhook_events (event, url, payload, next_attempt_at, delivered_at)
       VALUES ('job.completed', $1, jsonb_build_object('job', jsonb_build_object('tenantId', $2::text)), now() + $3::int * interval '1 second', CASE WHEN $4 THEN now() END)
       RETURNING id::text`,
      [url, tenant, dueInS, settled ?? false],
    );
    ids.push(row!.id);
  }
  return ids;
}

describe.each(testStores())('webhook claim on %s', (store) => {
  const t = useManager(store);

  /** What one claim hands out (ids in seed order), rolled back. */
  async function claim(events: Seed[], limits: Omit<ClaimLimits, 'leaseMs'>): Promise<number[]> {
    let picked: number[] = [];
    await t.m.manager.db
      .transaction(async (tx) => {
        // Events of tests before are gone with their rollback; none of the manager's own exist (no webhooks here).
        const ids = await seed(tx, events);
        const claimed = await claimWebhookEvents(tx, { ...limits, leaseMs: 60_000 });
        picked = claimed.map((e) => ids.indexOf(String(e.id))).sort((a, b) => a - b);
        throw new RolledBack();
      })
      .catch((err) => {
        if (!(err instanceof RolledBack)) throw err;
      });
    return picked;
  }

  const events: Seed[] = [
    ['t1', 'http://a.example/hook', -50], // 0  endpoint A (two in flight, cap 3: one more)
    ['t1', 'http://a.example/hook', -40], // 1
    ['t1', 'http://a.example/hook', -30], // 2
    ['t1', 'http://b.example/hook', -20], // 3  endpoint B
    ['t1', 'http://b.example/hook', -10], // 4  (tenant t1: 2 in flight, cap 4 → only two of A, B)
    ['t1', 'http://b.example/hook', 60], //  5  not due yet
    ['t2', 'http://c.example/hook', -5], //  6  endpoint C, another tenant
    ['t2', 'http://c.example/hook', -4], //  7
    ['t2', 'http://c.example/hook', -3], //  8
    ['t2', 'http://c.example/hook', -2], //  9  beyond C's cap of 3
    ['t2', 'http://d.example/hook', -60, true], // 10 delivered
    ['t3', 'http://a.example/hook', -1], // 11 the same URL for another tenant: another endpoint
  ];
  const limits = {
    max: 10,
    perEndpoint: 3,
    perTenant: 4,
    busyEndpoints: new Map([['t1 http://a.example/hook', 2]]),
    busyTenants: new Map([['t1', 2]]),
  };

  it('hands out the same events walking the endpoints as ranking every due event', async () => {
    const walking = await claim(events, limits);
    // Turns: A's and B's oldest first within t1's two free slots; C up to its cap; t3's endpoint its own.
    expect(walking).toEqual([0, 3, 6, 7, 8, 11]);
    expect(await claim(events, { ...limits, walkEndpoints: 1 })).toEqual(walking);
  });

  it('takes turns between endpoints when the slots are fewer than the due events', async () => {
    const few = { ...limits, max: 3, busyEndpoints: new Map(), busyTenants: new Map() };
    // Each endpoint's oldest due event first (A, B, C, A of t3), the oldest of those: 0, 3, 6.
    const walking = await claim(events, few);
    expect(walking).toEqual([0, 3, 6]);
    expect(await claim(events, { ...few, walkEndpoints: 1 })).toEqual(walking);
  });

  it('passes over an endpoint at its cap however long its backlog', async () => {
    const backlog: Seed[] = [...Array.from({ length: 300 }, (): Seed => ['t1', 'http://dead.example/hook', -100]), ['t2', 'http://ok.example/hook', -1]];
    const atCap = { max: 10, perEndpoint: 4, perTenant: 25, busyEndpoints: new Map([['t1 http://dead.example/hook', 4]]), busyTenants: new Map([['t1', 4]]) };
    expect(await claim(backlog, atCap)).toEqual([300]);
    expect(await claim(backlog, { ...atCap, walkEndpoints: 1 })).toEqual([300]);
  });
});
