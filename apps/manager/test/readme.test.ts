// Every configuration key is documented in the README, with its env name, and so is every metric the manager exports.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configSchema, loadConfig } from '../src/config.js';
import { ManagerMetrics } from '../src/metrics.js';
import type { HealthService } from '../src/services/health-service.js';
import type { QueueService } from '../src/services/queue-service.js';
import type { ReadySignal } from '../src/services/ready-signal.js';
import type { XminHorizonWatch } from '../src/services/xmin-horizon-watch.js';

function leaves(node: Record<string, unknown>, prefix = ''): { key: string; env: string }[] {
  return Object.entries(node).flatMap(([k, v]) => {
    const o = v as Record<string, unknown>;
    return 'doc' in o ? [{ key: `${prefix}${k}`, env: o.env as string }] : leaves(o, `${prefix}${k}.`);
  });
}

describe('configuration', () => {
  it('documents every key in the README', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const { key, env } of leaves(configSchema)) {
      expect(readme, key).toContain(`| ${key} |`);
      expect(readme, key).toContain(`\`${env}\``);
    }
  });

  it('documents every jobnik_ metric in the README', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    // Nothing is collected here (no scrape), so the queue, long-poll and horizon sources are never called; the
    // horizon's gauges are registered as on PostgreSQL.
    const names = new ManagerMetrics({} as QueueService, {} as ReadySignal, { enabled: true } as XminHorizonWatch, {} as HealthService)
      .familyNames()
      .filter((n) => n.startsWith('jobnik_'));
    expect(names.length).toBeGreaterThan(10);
    for (const name of names) expect(readme, name).toContain(`\`${name}`);
  });

  it('reads env vars and rejects invalid values', () => {
    expect(loadConfig({}, { JOBNIK_PORT: '9999', JOBNIK_LEASE_MS: '1234' })).toMatchObject({ http: { port: 9999 }, tasks: { leaseMs: 1234 } });
    expect(() => loadConfig({}, { JOBNIK_PORT: 'eighty' })).toThrow(/port/);
    expect(() => loadConfig({}, { JOBNIK_LOG_LEVEL: 'loud' })).toThrow(/level/);
    // On/off keys: true / false in any case, 1 / 0; anything else is an error, not true (convict's own Boolean).
    expect(loadConfig({}, { JOBNIK_HISTORY_ENABLED: '0', JOBNIK_METRICS_IDLE_QUEUES: 'FALSE', JOBNIK_METRICS_REQUIRE_KEY: '1' })).toMatchObject({
      history: { enabled: false },
      metrics: { idleQueues: false, requireKey: true },
    });
    expect(loadConfig({}, { JOBNIK_SCHEDULER_ENABLED: 'False' }).scheduler.enabled).toBe(false);
    for (const v of ['no', 'flase', '', 'yes']) {
      expect(() => loadConfig({}, { JOBNIK_HISTORY_ENABLED: v }), v).toThrow(/history\.enabled: must be true or false \(or 1 or 0\)/);
    }
  });
});
