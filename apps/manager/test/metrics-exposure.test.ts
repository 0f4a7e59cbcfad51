// Where /metrics is served: on the API port by default, optionally behind an API key, or only on a separate
// listener (so an Ingress to the API port cannot expose queue names and tenant ids). The Node process metrics
// are unprefixed, as the worker's are, so the standard Node.js dashboards find the manager.
import { afterEach, describe, expect, it } from 'vitest';
import { startTestManager, type TestManager } from '../src/testing.js';
import { api } from './api.js';

const ADMIN = 'metrics-test-admin-key';

describe('/metrics exposure', () => {
  let m: TestManager | undefined;
  afterEach(async () => {
    await m?.close();
    m = undefined;
  });

  it('serves the queue gauges and unprefixed process metrics on the API port by default, without a key', async () => {
    m = await startTestManager({ store: 'pglite', config: { auth: { mode: 'apiKey', adminKey: ADMIN } } });
    expect(m.manager.metricsUrl).toBeNull();
    const res = await api(m.url).get<string>('/metrics');
    expect(res.status).toBe(200);
    expect(res.body).toContain('# TYPE jobnik_queue_depth gauge');
    for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_seconds']) {
      expect(res.body).toContain(`# TYPE ${name} `);
    }
    expect(res.body).not.toContain('jobnik_manager_process');
  });

  it('asks for an API key of any role when requireKey is on', async () => {
    m = await startTestManager({ store: 'pglite', config: { auth: { mode: 'apiKey', adminKey: ADMIN }, metrics: { requireKey: true } } });
    const anonymous = await api(m.url).get('/metrics');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.code).toBe('UNAUTHORIZED');
    const worker = await api(m.url).post('/api-keys', { tenantId: 'default', role: 'worker', name: 'scraper' }, { 'x-api-key': ADMIN });
    expect(worker.status).toBe(201);
    // Prometheus sends its credentials as a bearer token.
    const scraped = await api(m.url).raw('GET', '/metrics', undefined, { authorization: `Bearer ${worker.body.key}` });
    expect(scraped.status).toBe(200);
    expect(scraped.body).toContain('jobnik_queue_depth');
    expect((await api(m.url).get('/health/ready')).status).toBe(200); // probes stay open
  });

  it('moves /metrics to its own listener, which serves nothing else', async () => {
    m = await startTestManager({ store: 'pglite', config: { metrics: { listen: 'port', port: 0 } } });
    const metricsUrl = m.manager.metricsUrl;
    expect(metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(metricsUrl).not.toBe(m.url);
    const res = await fetch(`${metricsUrl}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('# TYPE jobnik_queue_depth gauge');
    expect((await api(m.url).get('/metrics')).status).toBe(404);
    expect((await fetch(`${metricsUrl}/jobs`)).status).toBe(404);
    expect((await fetch(`${metricsUrl}/health/ready`)).status).toBe(404);
    // Closing the manager closes its metrics listener.
    await m.close();
    m = undefined;
    await expect(fetch(`${metricsUrl}/metrics`)).rejects.toThrow();
  });
});
