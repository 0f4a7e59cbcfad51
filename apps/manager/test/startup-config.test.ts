// A manager started with a bad setting stops at once with one line that names it (exit 2), not a stack trace; one
// whose port is taken says so in one line too (exit 1).
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { runManager } from './manager-cli.js';

/** Runs `check` while another listener holds a port of 127.0.0.1. */
async function withTakenPort(check: (port: number) => void): Promise<void> {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  try {
    check((taken.address() as { port: number }).port);
  } finally {
    taken.close();
  }
}

const serve = (env: Record<string, string>) => runManager('serve', { JOBNIK_PGLITE_DIR: 'memory://', JOBNIK_PORT: '0', ...env });

describe('starting with a bad setting', () => {
  it('names the setting and its value in one line and exits 2', () => {
    const r = serve({ JOBNIK_READY_RESCAN_MS: '-5' });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('jobnik-manager: invalid configuration: tasks.readyRescanMs: must be an integer from 0 to 2147483647: value was "-5"');
  });

  it('refuses a heap growth outside 0–1000 %', () => {
    const r = serve({ JOBNIK_HEAP_GROWTH_PERCENT: '5000' });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('jobnik-manager: invalid configuration: memory.heapGrowthPercent: must be an integer from 0 to 1000: value was 5000');
  });

  it("refuses retention's duty cycle outside 1–100 %", () => {
    const r = serve({ JOBNIK_RETENTION_DUTY_PERCENT: '101' });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('jobnik-manager: invalid configuration: retention.dutyPercent: must be an integer from 1 to 100: value was 101');
  });

  it.each([
    ['JOBNIK_TASK_BACKOFF_JITTER', 'abc', 'tasks.backoffJitter: must be a number from 0 to 1'],
    ['JOBNIK_TASK_BACKOFF_JITTER', '5', 'tasks.backoffJitter: must be a number from 0 to 1'],
    ['JOBNIK_RETENTION_DAYS', 'never', 'retention.days: must be a number from 0 to 36500'],
    ['JOBNIK_RETENTION_DAYS', '-3', 'retention.days: must be a number from 0 to 36500'],
    ['JOBNIK_SWEEP_INTERVAL_MS', '0', 'tasks.sweepIntervalMs: must be an integer from 10 to 2147483647'],
    ['JOBNIK_SCHEDULER_TICK_MS', '0', 'scheduler.tickMs: must be an integer from 10 to 2147483647'],
    ['JOBNIK_WEBHOOK_POLL_MS', '0', 'webhooks.pollMs: must be an integer from 10 to 2147483647'],
    ['JOBNIK_RETENTION_INTERVAL_MS', '0', 'retention.intervalMs: must be an integer from 10 to 2147483647'],
    ['JOBNIK_RETENTION_INTERVAL_MS', '3000000000', 'retention.intervalMs: must be an integer from 10 to 2147483647'],
    ['JOBNIK_LEASE_MS', '0', 'tasks.leaseMs: must be an integer from 1000 to 2147483647'],
    ['JOBNIK_LEASE_MS', '1500.5', 'tasks.leaseMs: must be an integer from 1000 to 2147483647'],
    ['JOBNIK_DB_POOL_SIZE', '0', 'database.poolSize: must be an integer from 1 to'],
    ['JOBNIK_WEBHOOK_BLOCKED_NETWORKS', '10.0.0.0/33', 'webhooks.blockedNetworks: "10.0.0.0/33" is not a network'],
    ['JOBNIK_WEBHOOK_BLOCKED_NETWORKS', 'private,metadata.internal', 'webhooks.blockedNetworks: "metadata.internal" is not a network'],
  ])('refuses %s=%s, naming the key and its range', (name, value, message) => {
    expect(() => loadConfig({}, { [name]: value })).toThrow(message);
  });

  it('takes fractions where the setting is a number, and 0 where 0 has a meaning', () => {
    const c = loadConfig({}, { JOBNIK_TASK_BACKOFF_JITTER: '0.5', JOBNIK_RETENTION_DAYS: '0.25', JOBNIK_RATE_LIMIT_PER_MINUTE: '0', JOBNIK_DB_QUERY_TIMEOUT_MS: '0' });
    expect([c.tasks.backoffJitter, c.retention.days, c.auth.rateLimitPerMinute, c.database.queryTimeoutMs]).toEqual([0.5, 0.25, 0, 0]);
  });

  it('takes blocked networks as CIDRs, addresses and the alias private, and an empty list', () => {
    expect(loadConfig({}, { JOBNIK_WEBHOOK_BLOCKED_NETWORKS: 'private, 203.0.113.7, 2001:db8::/32' }).webhooks.blockedNetworks).toBe('private, 203.0.113.7, 2001:db8::/32');
    expect(loadConfig({}, { JOBNIK_WEBHOOK_BLOCKED_NETWORKS: '' }).webhooks.blockedNetworks).toBe('');
  });

  it('names a configuration file that is not JSON', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'jobnik-config-')), 'broken.json');
    writeFileSync(file, '{ "tasks": ');
    expect(() => loadConfig({}, { JOBNIK_CONFIG_FILE: file })).toThrow(`JOBNIK_CONFIG_FILE ${file}: `);
  });

  it('names the metrics port, not the API port, when the metrics listener cannot have it (exit 1)', () =>
    withTakenPort((port) => {
      const r = serve({ JOBNIK_HOST: '127.0.0.1', JOBNIK_METRICS_LISTEN: 'port', JOBNIK_METRICS_PORT: String(port) });
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(`jobnik-manager: cannot start: 127.0.0.1:${port} is already in use by another process (EADDRINUSE): choose another with JOBNIK_METRICS_PORT (metrics.port) or JOBNIK_HOST (http.host)`);
    }));

  it('says in one line why an embedded store directory cannot be used (exit 1)', () => {
    const root = mkdtempSync(join(tmpdir(), 'jobnik-dir-'));
    writeFileSync(join(root, 'a-file'), '');
    const r = serve({ JOBNIK_PGLITE_DIR: join(root, 'a-file', 'data') });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^jobnik-manager: cannot start: the embedded store's data directory ${join(root, 'a-file', 'data')} \\(JOBNIK_PGLITE_DIR\\) cannot be used: `));
    expect(r.stderr.split('\n')).toHaveLength(1);
  });

  it('opens an embedded store through a symlink to its directory', () => {
    const root = mkdtempSync(join(tmpdir(), 'jobnik-dir-'));
    mkdirSync(join(root, 'real'));
    expect(runManager('migrate', { JOBNIK_PGLITE_DIR: join(root, 'real', 'store') }).status).toBe(0);
    symlinkSync(join(root, 'real', 'store'), join(root, 'alias'));
    const r = runManager('migrate', { JOBNIK_PGLITE_DIR: join(root, 'alias') });
    expect([r.status, r.stderr]).toEqual([0, '']);
  });

  it('names a port another process listens on, in one line (exit 1)', () =>
    withTakenPort((port) => {
      const r = serve({ JOBNIK_HOST: '127.0.0.1', JOBNIK_PORT: String(port) });
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(`jobnik-manager: cannot start: 127.0.0.1:${port} is already in use by another process (EADDRINUSE): choose another with JOBNIK_PORT (http.port) or JOBNIK_HOST (http.host)`);
    }));

  it('without DATABASE_URL on an install without the embedded store (the cluster image), says to set it, in one line (exit 1)', () => {
    // The image is built without optional dependencies: @electric-sql/pglite cannot be found there. A loader hook plays that.
    const hook = `export async function resolve(specifier, context, next) {
      if (specifier === '@electric-sql/pglite') throw Object.assign(new Error('Cannot find package ' + specifier), { code: 'ERR_MODULE_NOT_FOUND' });
      return next(specifier, context);
    }`;
    const register = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)});`;
    const r = runManager('serve', { DATABASE_URL: '', JOBNIK_PORT: '0' }, ['--import', `data:text/javascript,${encodeURIComponent(register)}`]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      'jobnik-manager: cannot start: DATABASE_URL is not set and the embedded PGlite store is not installed (images built for Kubernetes leave it out): set DATABASE_URL to a PostgreSQL connection string',
    );
  });

  it('says what is wrong with a configuration file', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'jobnik-config-')), 'config.json');
    writeFileSync(file, '{ "flow": { "rateLimits": [ { "stageType": "x", "limit": 0 } ] } }');
    const r = serve({ JOBNIK_CONFIG_FILE: file });
    expect(r.status).toBe(2);
    expect(r.stderr.split('\n')[0]).toMatch(/^jobnik-manager: invalid configuration: .*limit/);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });
});
