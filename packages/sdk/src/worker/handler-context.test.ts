import type { LeasedTask } from '@jobnik/contracts';
import { describe, expect, it } from 'vitest';
import type { Logger } from '../logger.js';
import type { ProducerClient } from '../producer/producer-client.js';
import { HandlerContext } from './handler-context.js';
import type { HeartbeatLoop } from './heartbeat-loop.js';
import { LeaseEntry } from './lease-registry.js';

const task = { id: 't1', jobId: 'j1', stageId: 's1', stageType: 'tiles', attempts: 2 } as LeasedTask;

function setup() {
  const entry = new LeaseEntry('t1', 'lease-1', 'tiles');
  const lines: object[] = [];
  const logger: Logger = { debug: () => undefined, info: (fields) => lines.push(fields), warn: () => undefined, error: () => undefined };
  let heartbeatsAsked = 0;
  const heartbeat = { soon: () => heartbeatsAsked++ } as unknown as HeartbeatLoop;
  const producer = {} as ProducerClient;
  const job = { id: 'j1', name: 'render' } as never;
  const ctx = new HandlerContext(task, job, undefined, entry, { logger, heartbeat, producer });
  return { entry, ctx, lines, producer, heartbeats: () => heartbeatsAsked };
}

describe('the context a handler receives', () => {
  it('works destructured, as handlers often take it: progress and checkpoint stay bound to their task', async () => {
    const { entry, ctx, heartbeats } = setup();
    const { progress, checkpoint, attempt, job } = ctx;
    expect(attempt).toBe(2);
    expect(job).toMatchObject({ name: 'render' });
    await progress(0.75);
    const saved = checkpoint({ page: 3 });
    expect(heartbeats()).toBe(1); // a checkpoint goes out at once
    const { item, commit } = entry.heartbeatItem();
    expect(item).toEqual({ taskId: 't1', leaseToken: 'lease-1', progress: 0.75, checkpoint: { page: 3 } });
    commit(); // the heartbeat carrying it was answered
    await expect(saved).resolves.toBeUndefined();
  });

  it('throws in the handler on progress outside 0–1 or a checkpoint that is not JSON, before a heartbeat would carry it', () => {
    const { entry, ctx, heartbeats } = setup();
    for (const p of [Number.NaN, 50, -0.1, Infinity, '0.5' as unknown as number]) expect(() => ctx.progress(p), String(p)).toThrow(RangeError);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => ctx.checkpoint({ n: 10n })).toThrow(/cannot be written as JSON: .*BigInt/);
    expect(() => ctx.checkpoint(cyclic)).toThrow(TypeError);
    expect(heartbeats()).toBe(0);
    expect(entry.heartbeatItem().item).toEqual({ taskId: 't1', leaseToken: 'lease-1' });
  });

  it('a checkpoint the manager refuses rejects its promise, and the acks carry the last stored one again', async () => {
    const { entry, ctx } = setup();
    const first = ctx.checkpoint({ page: 1 });
    entry.heartbeatItem().commit();
    await first;
    const second = ctx.checkpoint({ page: 2, blob: 'x' });
    const beat = entry.heartbeatItem();
    expect(beat.item.checkpoint).toEqual({ page: 2, blob: 'x' });
    beat.refuse(new Error('checkpoint too large'));
    await expect(second).rejects.toThrow('checkpoint too large');
    expect(entry.checkpoint).toEqual({ page: 1 });
    expect(entry.heartbeatItem().item).toEqual({ taskId: 't1', leaseToken: 'lease-1' }); // not sent again
  });

  it("a checkpoint's promise settles when the task is aborted before any heartbeat carried it", async () => {
    const { entry, ctx } = setup();
    const saved = ctx.checkpoint({ page: 1 });
    entry.abort('cancelled', 'job cancelled');
    await expect(saved).resolves.toBeUndefined();
    expect(ctx.signal.aborted).toBe(true);
    expect(ctx.signal.reason).toMatchObject({ kind: 'cancelled' });
  });

  it("logs with the task's fields, hands out the worker's producer, and spreads or serializes to what describes the run", () => {
    const { ctx, lines, producer } = setup();
    const { log } = ctx;
    log.info({ tile: 7 }, 'rendered');
    expect(lines).toEqual([{ taskId: 't1', jobId: 'j1', stageType: 'tiles', attempt: 2, tile: 7 }]);
    expect(ctx.producer).toBe(producer);
    // Spread, logged or serialized whole, it shows what describes the run, not the worker's internals.
    expect(Object.keys({ ...ctx })).toEqual(['attempt', 'job', 'stage']);
    expect(JSON.parse(JSON.stringify(ctx))).toEqual({ attempt: 2, job: { id: 'j1', name: 'render' } });
  });
});
