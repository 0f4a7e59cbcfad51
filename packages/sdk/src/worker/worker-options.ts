// WorkerClient options, documented where declared and defaulted in one function.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { TenantId } from '@jobnik/contracts';
import type { Registry } from 'prom-client';
import type { ClientOptions } from '../options.js';
import { consoleLogger, type Logger } from '../logger.js';

export interface WorkerOptions extends ClientOptions {
  /** Most handlers running at once, across every stage type. Default 4. */
  concurrency?: number;
  /** Stable id of this worker process (letters, digits, `._:-`). Default `<hostname>-<pid>-<random>`. */
  workerId?: string;
  /** Only this tenant's tasks. Default: every tenant the API key may see. */
  tenantId?: string;
  /**
   * Long-polls (the dequeue, and the directives poll that pushes cancel/suspend to running handlers): how
   * long one waits on the manager. Default 5 000 ms (max 60 000): below the manager's shutdown grace
   * (JOBNIK_SHUTDOWN_GRACE_MS, 10 s by default), so even a manager that does not answer parked polls when
   * it stops is never held up by one. Longer saves a request per idle worker every few seconds, no more.
   */
  waitMs?: number;
  /** Lease asked for each task; heartbeats extend it. Default 30 000 ms. */
  leaseMs?: number;
  /** Time between heartbeats. Default leaseMs / 3. */
  heartbeatIntervalMs?: number;
  /** Most tasks asked for in one dequeue (it never asks for more than free slots). Default: concurrency. */
  maxDequeueBatch?: number;
  /**
   * Slots, out of `concurrency`, kept for quiet queues: a (tenant, stage type) with ready tasks and none in progress.
   * They are leased by a long-poll of their own, which the manager answers only from such queues; so a tenant with
   * nothing running starts at once even while every other slot is busy with another tenant's backlog (long handlers,
   * or a backlog that keeps the other slots full). Unused while no tenant is quiet. Default 0 (none); at most
   * concurrency − 1.
   */
  quietSlots?: number;
  /**
   * Most leases held at once: running handlers plus finished tasks whose ack the manager has not answered yet.
   * When acks fall behind, the worker stops asking for tasks instead of holding more leases than it can report
   * (each one heartbeated until then). Default 2 × concurrency; at least concurrency.
   */
  maxHeldLeases?: number;
  /** Acks wait at most this long for company before being sent. Default 5 ms. */
  ackFlushMs?: number;
  /** Acks of one kind are sent at once when this many are waiting. Default 100. */
  ackMaxBatch?: number;
  /** Back-off range after a failed dequeue (exponential with jitter). Default 200 ms → 5 000 ms. */
  dequeueBackoff?: { baseMs?: number; maxMs?: number };
  /**
   * After a handler's signal aborted (timeout, suspend), how long to wait for it to return before its slot
   * is given to another task and its ack sent without it. Default 5 000 ms.
   */
  abandonAfterMs?: number;
  /** Default grace for stop() and the signal handlers. Default 30 000 ms. */
  graceMs?: number;
  /** prom-client registry for the worker metrics. Default: a new Registry (see `worker.metrics.registry`). */
  registry?: Registry;
  /** Default: warnings and errors to the console. */
  logger?: Logger;
}

export interface ResolvedWorkerOptions {
  concurrency: number;
  workerId: string;
  tenantId: string | undefined;
  waitMs: number;
  leaseMs: number;
  heartbeatIntervalMs: number;
  maxDequeueBatch: number;
  quietSlots: number;
  maxHeldLeases: number;
  ackFlushMs: number;
  ackMaxBatch: number;
  dequeueBackoff: { baseMs: number; maxMs: number; jitter: number };
  abandonAfterMs: number;
  graceMs: number;
  logger: Logger;
}

function defaultWorkerId(): string {
  const host = hostname().replace(/[^A-Za-z0-9._:-]/g, '-').replace(/^[^A-Za-z0-9]+/, '') || 'worker';
  return `${host.slice(0, 80)}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

function int(name: string, v: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isFinite(v) || v < min || v > max) throw new TypeError(`jobnik: option ${name} must be between ${min} and ${max}, got ${v}`);
  return Math.floor(v);
}

export function resolveWorkerOptions(o: WorkerOptions): ResolvedWorkerOptions {
  const concurrency = int('concurrency', o.concurrency ?? 4, 1, 10_000);
  const leaseMs = int('leaseMs', o.leaseMs ?? 30_000, 1_000, 3_600_000);
  const workerId = o.workerId ?? defaultWorkerId();
  if (!/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/.test(workerId)) throw new TypeError(`jobnik: invalid workerId ${workerId}`);
  // Refused here rather than by the manager on every dequeue of a worker that would start and never get a task.
  if (o.tenantId !== undefined && !TenantId.safeParse(o.tenantId).success) {
    throw new TypeError(`jobnik: invalid tenantId ${JSON.stringify(o.tenantId)}: up to 128 letters, digits and . _ : -, starting with a letter or digit`);
  }
  return {
    concurrency,
    workerId,
    tenantId: o.tenantId,
    waitMs: int('waitMs', o.waitMs ?? 5_000, 0, 60_000),
    leaseMs,
    heartbeatIntervalMs: int('heartbeatIntervalMs', o.heartbeatIntervalMs ?? Math.floor(leaseMs / 3), 100),
    maxDequeueBatch: int('maxDequeueBatch', o.maxDequeueBatch ?? concurrency, 1, 1000),
    quietSlots: int('quietSlots', o.quietSlots ?? 0, 0, concurrency - 1),
    maxHeldLeases: int('maxHeldLeases', o.maxHeldLeases ?? 2 * concurrency, concurrency),
    ackFlushMs: int('ackFlushMs', o.ackFlushMs ?? 5, 0),
    ackMaxBatch: int('ackMaxBatch', o.ackMaxBatch ?? 100, 1, 1000),
    dequeueBackoff: { baseMs: o.dequeueBackoff?.baseMs ?? 200, maxMs: o.dequeueBackoff?.maxMs ?? 5_000, jitter: 0.5 },
    abandonAfterMs: int('abandonAfterMs', o.abandonAfterMs ?? 5_000, 0),
    graceMs: int('graceMs', o.graceMs ?? 30_000, 0),
    logger: o.logger ?? consoleLogger,
  };
}
