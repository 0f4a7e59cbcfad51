// The per-queue gauges are written as Prometheus text by hand (prom-client took seconds for 100,000 queues): the
// lines must be what prom-client wrote, label values escaped as the text format wants, and a scrape whose depths
// could not be read still declares both families and says so (jobnik_queue_depth_up 0).
import type { Queue } from '@jobnik/contracts';
import client from 'prom-client';
import { describe, expect, it } from 'vitest';
import { queueGaugesText } from '../src/queue-gauges.js';

const queue = (tenantId: string, name: string, paused: boolean, n: number): Queue => ({
  tenantId,
  name,
  paused,
  maxInFlight: null,
  weight: 1,
  agingMs: null,
  group: null,
  rateLimit: null,
  tenantRateLimit: null,
  depth: { ready: n, delayed: n + 1, waiting: n + 2, inProgress: n + 3, paused: n + 4 },
  oldestReadyAt: null,
});

/** The same families through prom-client, as the scrape made them before. */
async function viaPromClient(queues: Queue[]): Promise<string> {
  const registry = new client.Registry();
  const depth = new client.Gauge({ name: 'jobnik_queue_depth', help: 'h', labelNames: ['tenant', 'stage_type', 'status'], registers: [registry] });
  const paused = new client.Gauge({ name: 'jobnik_queue_paused', help: 'h', labelNames: ['tenant', 'stage_type'], registers: [registry] });
  for (const q of queues) {
    const labels = { tenant: q.tenantId, stage_type: q.name };
    depth.set({ ...labels, status: 'ready' }, q.depth.ready);
    depth.set({ ...labels, status: 'delayed' }, q.depth.delayed);
    depth.set({ ...labels, status: 'waiting' }, q.depth.waiting);
    depth.set({ ...labels, status: 'in_progress' }, q.depth.inProgress);
    depth.set({ ...labels, status: 'paused' }, q.depth.paused);
    paused.set(labels, q.paused ? 1 : 0);
  }
  return registry.metrics();
}

const samples = (text: string) => text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).sort();

describe('queue gauges text', () => {
  it('carries the same samples as prom-client wrote, label values escaped alike', async () => {
    const queues = [queue('default', 'tile-render', false, 0), queue('t-1', 'ortho.mosaic', true, 7), queue('odd"ten\\ant\nx', 'a', false, 2)];
    const text = queueGaugesText(queues);
    expect(samples(text).filter((l) => !l.startsWith('jobnik_queue_depth_up '))).toEqual(samples(await viaPromClient(queues)));
    expect(text).toMatch(/^jobnik_queue_depth_up 1$/m);
    expect(text).toContain('jobnik_queue_depth{tenant="odd\\"ten\\\\ant\\nx",stage_type="a",status="ready"} 2\n');
    expect(text).toContain('jobnik_queue_paused{tenant="t-1",stage_type="ortho.mosaic"} 1\n');
  });

  it('declares both families without samples, and jobnik_queue_depth_up 0, when the depths could not be read', () => {
    const text = queueGaugesText(undefined);
    expect(text.match(/^# TYPE \S+ gauge$/gm)).toEqual(['# TYPE jobnik_queue_depth gauge', '# TYPE jobnik_queue_paused gauge', '# TYPE jobnik_queue_depth_up gauge']);
    expect(samples(text)).toEqual(['jobnik_queue_depth_up 0']);
  });

  it('reads jobnik_queue_depth_up 1 when the depths were read and no queue has any', () => {
    const text = queueGaugesText([]);
    expect(samples(text)).toEqual(['jobnik_queue_depth_up 1']);
  });
});
