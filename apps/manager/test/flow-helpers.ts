// Helpers of the flow-control tests (groups, rate limits, fairness, aging): jobs per tenant, leases, a second replica.
import { expect } from 'vitest';
import { startManager, type StartedManager } from '../src/server.js';
import type { Api } from './api.js';

export async function createTasks(a: Api, tenantId: string, stageType: string, n: number, priority = 'MEDIUM'): Promise<string> {
  const r = await a.post('/jobs', { name: `flow-${stageType}`, tenantId, priority, stages: [{ type: stageType, tasks: Array.from({ length: n }, (_, i) => ({ data: { tenantId, i } })) }] });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.id as string;
}

export interface Leased {
  id: string;
  leaseToken: string;
  leaseExpiresAt: string;
  stageType: string;
  priority: string;
  data: { tenantId: string; i: number };
}

export async function lease(a: Api, stageTypes: string[], max: number, extra: Record<string, unknown> = {}): Promise<Leased[]> {
  const r = await a.post('/dequeue', { workerId: 'flow-test', max, stageTypes, ...extra });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.tasks as Leased[];
}

/** Leases (max at a time) until a dequeue comes back empty; returns every task leased. */
export async function leaseUntilRefused(a: Api, stageTypes: string[], max: number, extra: Record<string, unknown> = {}): Promise<Leased[]> {
  const all: Leased[] = [];
  for (;;) {
    const got = await lease(a, stageTypes, max, extra);
    if (got.length === 0) return all;
    all.push(...got);
  }
}

export async function complete(a: Api, tasks: Leased[]): Promise<void> {
  const r = await a.post('/tasks/complete', { items: tasks.map((t) => ({ taskId: t.id, leaseToken: t.leaseToken })) });
  expect(r.body.items.every((i: { ok: boolean }) => i.ok), JSON.stringify(r.body)).toBe(true);
}

/** Another manager replica on the same PostgreSQL database (auth off, no config of its own beyond `flow`). */
export function startReplica(databaseUrl: string, flow?: Record<string, unknown>): Promise<StartedManager> {
  return startManager({ http: { host: '127.0.0.1', port: 0 }, database: { url: databaseUrl, pgliteDir: 'memory://' }, log: { level: 'silent' }, ...(flow ? { flow } : {}) } as never);
}

/** A counter of /metrics, summed over the label sets matching `labels` (e.g. reason="rate_limit"). */
export async function metric(a: Api, name: string, labels = ''): Promise<number> {
  const text = (await a.get<string>('/metrics')).body;
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || (labels && !line.includes(labels))) continue;
    sum += Number(line.split(' ').pop());
  }
  return sum;
}
