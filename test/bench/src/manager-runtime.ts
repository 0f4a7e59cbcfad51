// How a manager process itself fared during a phase, from its Prometheus metrics: event-loop delay (prom-client's
// histogram, which restarts at every scrape, so a reading covers the time since the one before) and time in garbage
// collection. A request that arrives while the event loop is held waits that long before any SQL is sent: under a
// saturated CPU this, not the database, is what a pickup's tail is made of.
import { request } from 'undici';

export interface ManagerRuntime {
  eventLoopLagP99Ms: number;
  eventLoopLagMaxMs: number;
  /** Cumulative seconds in young-generation (minor) and full (major) collections. */
  minorGcSeconds: number;
  majorGcSeconds: number;
}

/** A sample's value; `missing` when the process has none (no collection of that kind happened yet). */
const metric = (text: string, pattern: RegExp, missing = NaN): number => Number(pattern.exec(text)?.[1] ?? missing);

export async function managerRuntime(baseUrl: string): Promise<ManagerRuntime> {
  const text = await (await request(new URL('/metrics', baseUrl))).body.text();
  return {
    eventLoopLagP99Ms: metric(text, /^nodejs_eventloop_lag_p99_seconds ([\d.e-]+)$/m) * 1000,
    eventLoopLagMaxMs: metric(text, /^nodejs_eventloop_lag_max_seconds ([\d.e-]+)$/m) * 1000,
    minorGcSeconds: metric(text, /^nodejs_gc_duration_seconds_sum\{kind="minor"\} ([\d.e-]+)$/m, 0),
    majorGcSeconds: metric(text, /^nodejs_gc_duration_seconds_sum\{kind="major"\} ([\d.e-]+)$/m, 0),
  };
}

/** Over a phase: the event-loop figures of the reading after it (the histogram restarted at the one before), GC time between the two. */
export function runtimeBetween(before: ManagerRuntime, after: ManagerRuntime): ManagerRuntime {
  return { ...after, minorGcSeconds: after.minorGcSeconds - before.minorGcSeconds, majorGcSeconds: after.majorGcSeconds - before.majorGcSeconds };
}
