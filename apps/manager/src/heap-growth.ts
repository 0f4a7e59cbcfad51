// How far the manager's JavaScript heap grows before a full collection. Under load most of what the manager
// allocates dies young, but a request that waits on the database (a big create, an ack behind a stage's row) keeps
// its objects past two scavenges, and the big strings of dequeue answers live in large-object space: both are freed
// only by a full collection. V8 lets a busy heap reach about four times its live data first; measured on
// `bench:throughput` (PostgreSQL, N = 100,000, 4 worker processes, 3 paired runs): peak RSS 201–205 MB with V8's
// choice, 170–182 MB at 100 % (7 full collections per run instead of 2–3, the longest 20–53 ms), tasks/s level,
// the manager's own CPU per task ~7 % higher.
import { setFlagsFromString } from 'node:v8';

/** `percent` 0 leaves V8's heuristics (and any --heap-growing-percent given to node) alone. Process-wide. */
export function limitHeapGrowth(percent: number): void {
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
}
