import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashRequest } from './request-hash.js';

/** How the hashes stored with idempotency keys until now were made: every object rebuilt with its keys sorted. */
function storedHash(value: unknown): string {
  const canonical = JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
  return createHash('sha256').update(canonical).digest('hex');
}

const request = {
  name: 'ingest',
  tenantId: 'acme',
  priority: 'HIGH',
  idempotencyKey: 'sdk:1',
  data: { zone: 'north', Area: 5, area: 4, 'é': true, '10': 'ten', '2': 'two', nested: { b: [3, { y: 1, x: 2 }], a: null } },
  stages: [{ type: 'tiles', tasks: [{ data: { i: 0 } }, { data: { i: 1 }, userMetadata: { z: 1, a: 2 } }, { runAfter: '2026-12-06T00:00:00.000Z', data: null }] }],
};

/** The same content with every object's keys in reverse order. */
function reversed(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reversed);
  if (!v || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reversed(x)]));
}

describe('the hash of an idempotent request', () => {
  it('is the hash stored with the keys of earlier versions, so their retries are still recognised', () => {
    for (const value of [request, reversed(request), request.stages[0]!.tasks, { b: 1, a: 2 }, [{ a: 1 }], 'text', 7, null]) {
      expect(hashRequest(value)).toBe(storedHash(value));
    }
  });

  it("does not depend on the order of an object's keys, at any depth", () => {
    expect(hashRequest(reversed(request))).toBe(hashRequest(request));
  });

  it('differs when the content does: a value, an array order, a key', () => {
    const base = hashRequest(request);
    const changed = structuredClone(request);
    changed.stages[0]!.tasks[0]!.data = { i: 9 };
    expect(hashRequest(changed)).not.toBe(base);
    const swapped = structuredClone(request);
    swapped.stages[0]!.tasks.reverse();
    expect(hashRequest(swapped)).not.toBe(base);
    expect(hashRequest({ ...request, priority: undefined, Priority: 'HIGH' })).not.toBe(base);
  });
});
