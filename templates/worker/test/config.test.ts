// The worker's settings from the environment: what an operator sets reaches the worker, and a value out of range
// stops the start with the key named instead of running with something else.
import { describe, expect, it } from 'vitest';
import type { WorkerClient } from '@jobnik/sdk';
import { loadConfig } from '../src/config.js';
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
    expect(() => loadConfig({}, { WORKER_LEASE_MS: value })).toThrow(/worker\.leaseMs: must be an integer from 1000 to 3600000/);
  });
});
