// /openapi.json is a valid OpenAPI 3.1 document listing every route with its schemas; /docs renders it.
import SwaggerParser from '@apidevtools/swagger-parser';
import { routes } from '@jobnik/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestManager, type TestManager } from '../src/testing.js';

describe('OpenAPI document', () => {
  let m: TestManager;
  beforeAll(async () => {
    m = await startTestManager({ store: 'pglite' });
  });
  afterAll(() => m.close());

  it('is valid OpenAPI 3.1 and lists every route with its schemas', async () => {
    const doc = await (await fetch(`${m.url}/openapi.json`)).json();
    expect(doc.openapi).toBe('3.1.0');
    await SwaggerParser.validate(structuredClone(doc));
    for (const r of Object.values(routes)) {
      const op = doc.paths[r.path.replace(/:([A-Za-z]+)/g, '{$1}')]?.[r.method.toLowerCase()];
      expect(op, `${r.method} ${r.path}`).toBeDefined();
      expect(op.operationId).toBe(r.operationId);
      if (r.body) expect(op.requestBody.content['application/json'].schema).toBeDefined();
      const ok = Object.keys(r.responses)[0]!;
      expect(op.responses[ok]).toBeDefined();
    }
    expect(doc.components.schemas.Job.properties.status.$ref).toBe('#/components/schemas/JobStatus');
  });

  it('serves a readable reference page and health endpoints', async () => {
    const docs = await fetch(`${m.url}/docs`);
    expect(docs.headers.get('content-type')).toMatch(/text\/html/);
    expect(await docs.text()).toContain('/openapi.json');
    expect((await (await fetch(`${m.url}/health/live`)).json()).status).toBe('ok');
    expect((await (await fetch(`${m.url}/health/ready`)).json())).toMatchObject({ status: 'ok', database: 'pglite' });
    const metrics = await (await fetch(`${m.url}/metrics`)).text();
    expect(metrics).toContain('jobnik_queue_depth');
    for (const name of ['jobnik_http_request_duration_seconds', 'jobnik_dequeue_latency_seconds', 'jobnik_tasks_dequeued_total', 'jobnik_long_polls_waiting', 'jobnik_task_transitions_total', 'jobnik_sweeper_recoveries_total', 'jobnik_webhook_deliveries_total']) {
      expect(metrics).toContain(`# TYPE ${name}`);
    }
  });
});
