// A manager started with a bad setting stops at once with one line that names it (exit 2), not a stack trace; one
// whose port is taken says so in one line too (exit 1).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runManager } from './manager-cli.js';

const serve = (env: Record<string, string>) => runManager('serve', { JOBNIK_PGLITE_DIR: 'memory://', JOBNIK_PORT: '0', ...env });

describe('starting with a bad setting', () => {
  it('names the setting and its value in one line and exits 2', () => {
    const r = serve({ JOBNIK_READY_RESCAN_MS: '-5' });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('jobnik-manager: invalid configuration: tasks.readyRescanMs: must be a positive integer: value was -5');
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

  it('names a port another process listens on, in one line (exit 1)', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as { port: number };
    try {
      const r = serve({ JOBNIK_HOST: '127.0.0.1', JOBNIK_PORT: String(port) });
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(`jobnik-manager: cannot start: 127.0.0.1:${port} is already in use by another process (EADDRINUSE): choose another with JOBNIK_PORT (http.port) or JOBNIK_HOST (http.host)`);
    } finally {
      taken.close();
    }
  });

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
