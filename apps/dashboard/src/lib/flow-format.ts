// Flow control as text: a rate limit ("50/s, burst 5") and each tenant's share of its stage type.
import type { Queue } from '../api/api-types.js';

const UNITS: [number, string][] = [
  [1000, 's'],
  [60_000, 'min'],
  [3_600_000, 'h'],
  [86_400_000, 'day'],
];

/** "50/s", "600/min", "5 per 250 ms"; with the burst when it is more than one. */
export function formatRate(r: { limit: number; periodMs: number; burst: number }): string {
  const unit = UNITS.find(([ms]) => ms === r.periodMs);
  const rate = unit ? `${r.limit}/${unit[1]}` : `${r.limit} per ${r.periodMs} ms`;
  return r.burst > 1 ? `${rate}, burst ${r.burst}` : rate;
}

/**
 * Each queue's share of its stage type's leases while tenants compete: its weight over the weights of the queues of
 * that stage type that have ready tasks (null when it has none ready).
 */
export function tenantShares(queues: readonly Queue[]): Map<Queue, number | null> {
  const totals = new Map<string, number>();
  for (const q of queues) if (q.depth.ready > 0 && !q.paused) totals.set(q.name, (totals.get(q.name) ?? 0) + q.weight);
  return new Map(queues.map((q) => [q, q.depth.ready > 0 && !q.paused ? q.weight / totals.get(q.name)! : null]));
}
