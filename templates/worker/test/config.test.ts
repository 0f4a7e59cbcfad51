// The worker's settings from the environment: what an operator sets reaches the worker, and a value out of range
// (or one the SDK would refuse) stops the start with the variable and the key named instead of running with
// something else.
import { describe, expect, it } from 'vitest';
import type { WorkerClient } from '@jobnik/sdk';
import { ConfigError, loadConfig } from '../src/config.js';
import { createAppContainer } from '../src/container.js';
import type { WorkerJobs } from '../src/jobs.js';
import { TOKENS } from '../src/tokens.js';

describe('worker configuration', () => {
  it('gives the worker the lease WORKER_LEASE_MS asks for, with heartbeats every third of it', () => {
    const container = createAppContainer(loadConfig({ log: { level: 'silent' } }, { WORKER_LEASE_MS: '6000' }));
    const worker = container.resolve<WorkerClient<WorkerJobs>>(TOKENS.WorkerClient);
    expect(worker.options.leaseMs).toBe(6_000);
    expect(worker.options.heartbeatIntervalMs).toBe(2_000);
    expect(loadConfig({}, {}).worker.leaseMs).toBe(30_000);
  });

  it.each(['999', '3600001', '1500.5', 'soon'])('refuses WORKER_LEASE_MS=%s, naming the setting', (value) => {
    expect(() => loadConfig({}, { WORKER_LEASE_MS: value })).toThrow(/WORKER_LEASE_MS \(worker\.leaseMs\): must be an integer from 1000 to 3600000/);
  });

  const INTEGER_SETTINGS = [
    ['WORKER_CONCURRENCY', 'worker.concurrency'],
    ['WORKER_QUIET_SLOTS', 'worker.quietSlots'],
    ['WORKER_SHUTDOWN_GRACE_MS', 'worker.shutdownGraceMs'],
    ['WORKER_WAIT_MS', 'worker.waitMs'],
    ['WORKER_LEASE_MS', 'worker.leaseMs'],
    ['WORKER_READY_OUTAGE_GRACE_MS', 'readiness.outageGraceMs'],
    ['WORKER_HEALTH_PORT', 'health.port'],
    ['TILE_WORK_MS', 'tile.workMs'],
  ] as const;
  // Convict's parseInt read "20s" as 20 and "1.5" as 1: a unit or a fraction must stop the start, not be dropped.
  it.each(INTEGER_SETTINGS.flatMap(([env, key]) => ['2000s', '1500.5', '-5', '0x10', ''].map((v) => [env, v, key] as const)))('refuses %s=%j, naming the variable and the key', (env, value, key) => {
    let thrown: unknown;
    try {
      loadConfig({}, { [env]: value });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const message = (thrown as Error).message;
    expect(message.startsWith(`${env} (${key}): must be an integer from `)).toBe(true);
    expect(message).not.toContain('\n');
  });

  // What the SDK's WorkerClient refuses at construction must be refused at start with the setting named.
  it.each([
    ['WORKER_CONCURRENCY', '1000', '1001'],
    ['WORKER_WAIT_MS', '60000', '60001'],
    ['WORKER_LEASE_MS', '3600000', '3600001'],
  ])('takes %s up to what the SDK accepts (%s) and refuses %s at load', (env, largest, tooLarge) => {
    const container = createAppContainer(loadConfig({ log: { level: 'silent' } }, { [env]: largest }));
    expect(() => container.resolve<WorkerClient<WorkerJobs>>(TOKENS.WorkerClient)).not.toThrow();
    expect(() => loadConfig({}, { [env]: tooLarge })).toThrow(new RegExp(`^${env} \\([\\w.]+\\): must be an integer from \\d+ to ${largest}\\b`));
  });

  it('keeps WORKER_QUIET_SLOTS below WORKER_CONCURRENCY, and hands it to the SDK', () => {
    const config = loadConfig({ log: { level: 'silent' } }, { WORKER_CONCURRENCY: '4', WORKER_QUIET_SLOTS: '3' });
    expect(createAppContainer(config).resolve<WorkerClient<WorkerJobs>>(TOKENS.WorkerClient).options).toMatchObject({ concurrency: 4, quietSlots: 3 });
    expect(loadConfig({}, {}).worker.quietSlots).toBe(0);
    expect(() => loadConfig({}, { WORKER_CONCURRENCY: '4', WORKER_QUIET_SLOTS: '4' })).toThrow(
      new ConfigError('WORKER_QUIET_SLOTS (worker.quietSlots): must be below WORKER_CONCURRENCY (4), which it is kept out of: value was 4'),
    );
  });

  it('names every bad setting in one line', () => {
    expect(() => loadConfig({}, { WORKER_CONCURRENCY: 'abc', WORKER_WAIT_MS: '20s' })).toThrow(
      'WORKER_CONCURRENCY (worker.concurrency): must be an integer from 1 to 1000: value was "abc"; WORKER_WAIT_MS (worker.waitMs): must be an integer from 0 to 60000 (ms): value was "20s"',
    );
  });
});
