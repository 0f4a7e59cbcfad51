// /health/ready of a worker whose API key the manager rejects: not ready at once (a wrong, revoked or
// wrong-role key takes no work), with the manager's answer as the reason; a proper worker key is ready.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestManager, type TestManager } from '@jobnik/manager/testing';
import { startWorkerApp, type WorkerApp } from '../src/app.js';
import { waitFor } from './helpers/wait-for.js';

const ADMIN = 'worker-readiness-admin-key';

describe('worker readiness against a manager with API keys', () => {
  let manager: TestManager;
  const apps: WorkerApp[] = [];

  beforeAll(async () => {
    manager = await startTestManager({ store: 'pglite', config: { auth: { mode: 'apiKey', adminKey: ADMIN, cacheMs: 200 } } });
  });
  afterAll(async () => {
    for (const app of apps) await app.stop(1_000);
    await manager?.close();
  });

  async function createKey(role: 'worker' | 'producer', stageTypes?: string[]): Promise<{ id: string; key: string }> {
    const res = await fetch(`${manager.url}/api-keys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': ADMIN },
      body: JSON.stringify({ tenantId: 'default', role, name: `${role} key`, ...(stageTypes ? { stageTypes } : {}) }),
    });
    expect(res.status).toBe(201);
    return (await res.json()) as { id: string; key: string };
  }

  async function worker(apiKey: string): Promise<WorkerApp> {
    const app = await startWorkerApp({
      config: { manager: { url: manager.url, apiKey }, worker: { waitMs: 500 }, health: { port: 0 }, log: { level: 'silent' } },
    });
    apps.push(app);
    return app;
  }

  async function readiness(app: WorkerApp) {
    const res = await fetch(`${app.healthUrl}/health/ready`);
    return { status: res.status, body: (await res.json()) as { status: string; reason?: string } };
  }

  it('is not ready with a key the manager does not know, and says why', async () => {
    const app = await worker('jbk_wrong_0123456789abcdef');
    const r = await readiness(app);
    expect(r.status).toBe(503);
    expect(r.body.status).toBe('unavailable');
    expect(r.body.reason).toBe(
      "the manager rejected this worker's API key (HTTP 401 UNAUTHORIZED: the API key is unknown or revoked); check JOBNIK_API_KEY: a worker key of this tenant, allowed these stage types",
    );
    expect((await fetch(`${app.healthUrl}/health/live`)).status).toBe(200); // alive: no restart loop for a config error
  });

  it('is not ready with a producer key (403: it may not take tasks)', async () => {
    const app = await worker((await createKey('producer')).key);
    const r = await readiness(app);
    expect(r.status).toBe(503);
    expect(r.body.reason).toMatch(/^the manager rejected this worker's API key \(HTTP 403 FORBIDDEN: a producer key may not call POST/);
  });

  it('is ready with a worker key, and turns not ready within a probe once that key is revoked', async () => {
    const { id, key } = await createKey('worker', ['tile-render', 'tile-upload', 'tile-index']);
    const app = await worker(key);
    expect(await readiness(app)).toEqual({ status: 200, body: { status: 'ok' } });
    expect((await fetch(`${manager.url}/api-keys/${id}`, { method: 'DELETE', headers: { 'x-api-key': ADMIN } })).status).toBe(204);
    // The manager trusts a verified key for JOBNIK_AUTH_CACHE_MS (200 ms here), the worker caches its check for 1 s.
    const rejected = await waitFor(async () => {
      const r = await readiness(app);
      return r.status === 503 ? r : null;
    }, { timeoutMs: 10_000, intervalMs: 100, message: 'not ready after revocation' });
    expect(rejected.body.reason).toContain('HTTP 401 UNAUTHORIZED: the API key is unknown or revoked');
  });
});
