// Runs one leased task: validates its data, calls the handler inside the task span with a context,
// enforces the timeout, turns the way it ended into one ack (complete, fail or release, or none when
// it was cancelled or its lease is gone) and reports the outcome.
import { context } from '@opentelemetry/api';
import type { AckOutcome, JobContext, LeasedTask, StageContext } from '@jobnik/contracts';
import type { Logger } from '../logger.js';
import type { TaskOutcome, WorkerMetrics } from '../metrics/worker-metrics.js';
import type { ProducerClient } from '../producer/producer-client.js';
import { endTaskSpan, startTaskSpan } from '../telemetry/task-span.js';
import type { AckBuffer, FailureInfo } from './ack-buffer.js';
import type { HeartbeatLoop } from './heartbeat-loop.js';
import type { LeaseEntry, LeaseRegistry } from './lease-registry.js';
import { HandlerContext } from './handler-context.js';
import type { Slots } from './slots.js';
import { notJson } from './json-value.js';
import { NonRetryableError } from './task-abort.js';
import type { RegisteredHandler } from './task-context.js';
import type { TaskEventBase, WorkerEvents } from './worker-events.js';

export interface TaskRunnerDeps {
  handlers: ReadonlyMap<string, RegisteredHandler>;
  leases: LeaseRegistry;
  acks: AckBuffer;
  heartbeat: HeartbeatLoop;
  metrics: WorkerMetrics;
  logger: Logger;
  producer: ProducerClient;
  abandonAfterMs: number;
  emit: <E extends keyof WorkerEvents>(event: E, ...args: WorkerEvents[E]) => void;
  /** Whether anyone listens to an event: the per-task payloads are built only then. */
  listening: (event: keyof WorkerEvents) => boolean;
}

type Settled = { kind: 'resolved'; value: unknown } | { kind: 'rejected'; error: unknown };

function truncate(s: string | undefined, max: number): string | undefined {
  return s === undefined || s.length <= max ? s : s.slice(0, max);
}

/**
 * A thrown value that is not an Error, as one: a string is its message; a plain object's `message`, `code` and
 * `retryable: false` count as an Error's would (anything else is written out as JSON).
 */
function errorOfValue(err: unknown): Error {
  if (typeof err === 'string') return new Error(err);
  const fields = err !== null && typeof err === 'object' ? (err as { message?: unknown; code?: unknown; retryable?: unknown }) : {};
  let text: string;
  try {
    text = typeof fields.message === 'string' ? fields.message : (JSON.stringify(err) ?? String(err));
  } catch {
    text = String(err);
  }
  return Object.assign(new Error(text), typeof fields.code === 'string' ? { code: fields.code } : {}, fields.retryable === false ? { retryable: false } : {});
}

/** The failure the manager records for a thrown value. */
export function failureOf(err: unknown): FailureInfo {
  const e = err instanceof Error ? err : errorOfValue(err);
  const code = (e as { code?: unknown }).code;
  const retryable = !(err instanceof NonRetryableError) && (e as { retryable?: unknown }).retryable !== false;
  return {
    message: truncate(e.message || e.name, 8192) ?? 'Error',
    ...(typeof code === 'string' ? { code: truncate(code, 128) } : {}),
    // The stack of a thrown non-Error would be the SDK's own, not the handler's.
    ...(err instanceof Error && e.stack ? { stack: truncate(e.stack, 32_768) } : {}),
    retryable,
  };
}

function eventBase(task: LeasedTask): TaskEventBase {
  return { taskId: task.id, jobId: task.jobId, stageId: task.stageId, stageType: task.stageType, attempt: task.attempts };
}

export class TaskRunner {
  /** Runs from start until their ack is answered. */
  readonly running = new Set<Promise<void>>();

  constructor(private readonly d: TaskRunnerDeps) {}

  /** Takes a slot (of the lane the task was leased for) at once and runs the task in the background. */
  start(task: LeasedTask, job: JobContext | undefined, stage: StageContext | undefined, slots: Slots): void {
    slots.take();
    this.d.metrics.tasksInFlight.inc();
    const entry = this.d.leases.add(task.id, task.leaseToken, task.stageType);
    // One then() instead of catch().finally(): two promises fewer per task. emit never throws (safeEmit).
    const run: Promise<void> = this.execute(task, job, stage, entry, slots).then(
      () => {
        this.d.leases.remove(entry);
        slots.settle();
        this.running.delete(run);
      },
      (err: unknown) => {
        this.d.emit('error', err instanceof Error ? err : new Error(String(err)));
        this.d.leases.remove(entry);
        slots.settle();
        this.running.delete(run);
      },
    );
    this.running.add(run);
  }

  private async execute(task: LeasedTask, job: JobContext | undefined, stage: StageContext | undefined, entry: LeaseEntry, slots: Slots): Promise<void> {
    const startedAt = performance.now();
    const { span, context: spanContext } = startTaskSpan(task, job);
    let slotHeld = true;
    const giveSlot = () => {
      if (!slotHeld) return;
      slotHeld = false;
      slots.give();
      this.d.metrics.tasksInFlight.dec();
    };
    const handler = this.d.handlers.get(task.stageType);
    const timeoutMs = handler?.timeoutMs ?? task.timeoutMs;
    const timer = timeoutMs ? setTimeout(() => entry.abort('timeout', `task timed out after ${timeoutMs} ms`), timeoutMs) : undefined;
    let abandonTimer: NodeJS.Timeout | undefined;

    let settled: Settled | null = null;
    try {
      if (this.d.listening('taskStarted')) this.d.emit('taskStarted', eventBase(task));
      if (!handler) {
        settled = null;
      } else {
        const result = context.with(spanContext, () => this.invoke(handler, task, job, stage, entry));
        // Whichever comes first, the handler's end or an abort; one promise instead of Promise.race over the
        // result and a second promise of the abort. invoke() never rejects, so then() does what finally() would.
        settled = await new Promise<Settled | null>((resolve) => {
          void result.then((s) => {
            clearTimeout(abandonTimer);
            giveSlot();
            resolve(s);
          });
          entry.onAbort(() => resolve(null));
        });
        const kind = entry.abortKind;
        if (settled === null) {
          // Aborted while running. The slot is held until the handler returns, but not forever.
          const abandoned = new Promise<null>((resolve) => {
            abandonTimer = setTimeout(() => {
              giveSlot();
              resolve(null);
            }, this.d.abandonAfterMs);
            abandonTimer.unref();
          });
          if (kind === 'suspended') {
            // Give the handler a moment to save its last checkpoint (or to finish after all).
            settled = await Promise.race([result, abandoned]);
          }
          // A timeout is reported at once (the slot stays held until the handler returns or is abandoned): the
          // manager enforces the same timeout, and a failure sent after waiting on the handler found the task failed
          // by the manager already, which read as a lost lease.
        }
      }
    } finally {
      clearTimeout(timer);
    }
    const durationMs = performance.now() - startedAt;
    let outcome: TaskOutcome;
    try {
      outcome = await this.finish(task, entry, settled, durationMs, handler === undefined);
    } catch (err) {
      endTaskSpan(span, 'error', err);
      giveSlot();
      throw err;
    } finally {
      if (slotHeld && abandonTimer === undefined) giveSlot();
    }
    const counted = this.d.metrics.byOutcome(task.stageType, outcome);
    counted.total.inc();
    counted.duration.observe(durationMs / 1000);
    endTaskSpan(span, outcome, settled?.kind === 'rejected' ? settled.error : undefined);
  }

  private async invoke(handler: RegisteredHandler, task: LeasedTask, job: JobContext | undefined, stage: StageContext | undefined, entry: LeaseEntry): Promise<Settled> {
    try {
      if (handler.schema) {
        const parsed = handler.schema.safeParse(task.data);
        if (!parsed.success) {
          throw new NonRetryableError(`invalid task data: ${parsed.error.message}`, { code: 'INVALID_TASK_DATA' });
        }
      }
      const value = await (handler.fn as (t: unknown, c: unknown) => unknown)(task, new HandlerContext(task, job, stage, entry, this.d));
      return { kind: 'resolved', value };
    } catch (error) {
      return { kind: 'rejected', error };
    } finally {
      entry.markSettled();
    }
  }

  /** Sends the ack the way the run ended calls for and reports the outcome. */
  private async finish(task: LeasedTask, entry: LeaseEntry, settled: Settled | null, durationMs: number, unhandled: boolean): Promise<TaskOutcome> {
    const kind = entry.abortKind;
    if (kind === 'cancelled') return this.cancelled(eventBase(task));
    if (kind === 'lease_lost') return this.leaseLost(eventBase(task));
    const refused = settled?.kind === 'resolved' ? notJson(settled.value) : null;
    if (refused !== null) {
      settled = { kind: 'rejected', error: new NonRetryableError(`the handler's result cannot be sent as JSON: ${refused}`, { code: 'RESULT_NOT_JSON' }) };
    }
    if (settled?.kind === 'resolved') {
      // The common path: no spreads, and the event payload only when someone listens.
      const result = settled.value as never;
      const outcome = await this.d.acks.complete(
        result === undefined ? { taskId: task.id, leaseToken: task.leaseToken } : { taskId: task.id, leaseToken: task.leaseToken, result },
      );
      if (outcome.ok || (outcome.code === 'TASK_NOT_RUNNING' && outcome.status === 'COMPLETED')) {
        if (this.d.listening('taskCompleted')) {
          this.d.emit('taskCompleted', { taskId: task.id, jobId: task.jobId, stageId: task.stageId, stageType: task.stageType, attempt: task.attempts, result: settled.value, durationMs });
        }
        return 'completed';
      }
      return this.notApplied(eventBase(task), outcome);
    }
    const base = eventBase(task);
    const fenced = { taskId: task.id, leaseToken: task.leaseToken };
    const checkpoint = entry.checkpoint === undefined ? {} : { checkpoint: entry.checkpoint };
    if (unhandled || kind === 'suspended' || kind === 'shutdown') {
      if (kind === 'suspended') await this.persistCheckpoint(entry);
      const outcome = await this.d.acks.release({ ...fenced, ...checkpoint });
      // A suspended task is PAUSED on the manager already; the release only hands the lease back.
      const paused = kind === 'suspended' && outcome.code === 'TASK_NOT_RUNNING' && outcome.status === 'PAUSED';
      if (!outcome.ok && !paused) return this.notApplied(base, outcome);
      this.d.emit('taskReleased', { ...base, reason: unhandled ? 'unhandled' : kind === 'suspended' ? 'suspended' : 'shutdown' });
      return 'released';
    }
    const error: FailureInfo =
      kind === 'timeout'
        ? { message: `task timed out after ${this.d.handlers.get(task.stageType)?.timeoutMs ?? task.timeoutMs} ms`, code: 'TIMEOUT', retryable: true }
        : failureOf(settled?.kind === 'rejected' ? settled.error : new Error('handler did not settle'));
    const outcome = await this.d.acks.fail({ ...fenced, error, ...checkpoint });
    // The manager enforces a task's timeout too: when its sweep ended the attempt first, the attempt still timed out.
    const timedOutThere = !outcome.ok && kind === 'timeout' && outcome.status !== undefined && outcome.status !== 'ABORTED' && outcome.status !== 'COMPLETED';
    if (!outcome.ok && !timedOutThere) return this.notApplied(base, outcome);
    const willRetry = outcome.ok ? outcome.status === 'PENDING' : outcome.status !== 'FAILED';
    this.d.emit('taskFailed', { ...base, error, willRetry, ...(outcome.runAfter ? { runAfter: outcome.runAfter } : {}), durationMs });
    return 'failed';
  }

  /**
   * The manager keeps the checkpoint a heartbeat carries for a PAUSED task, but applies a release only to
   * a running one: so the last checkpoint of a suspended task goes out with a heartbeat first (bounded wait).
   */
  private async persistCheckpoint(entry: LeaseEntry): Promise<void> {
    if (!entry.hasUnsentCheckpoint) return;
    const sent = entry.whenCheckpointSent();
    this.d.heartbeat.soon();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([sent, new Promise((r) => (timer = setTimeout(r, this.d.abandonAfterMs)))]);
    clearTimeout(timer);
  }

  private notApplied(base: TaskEventBase, outcome: AckOutcome): TaskOutcome {
    return outcome.code === 'LEASE_LOST' ? this.leaseLost(base) : this.cancelled(base);
  }

  private leaseLost(base: TaskEventBase): TaskOutcome {
    this.d.emit('leaseLost', base);
    return 'lease_lost';
  }

  private cancelled(base: TaskEventBase): TaskOutcome {
    this.d.emit('taskCancelled', base);
    return 'cancelled';
  }

  /**
   * A task whose lease had lapsed before its handler could start: the handler does not run (another worker
   * may have it already). The lease is handed back (fenced by its token: harmless if the manager moved on)
   * so the task need not wait for the sweeper; reported as a lost lease.
   */
  giveBackLapsed(task: LeasedTask): void {
    const released = this.d.acks.release({ taskId: task.id, leaseToken: task.leaseToken }).catch(() => undefined);
    const run: Promise<void> = released.then(() => {
      this.d.metrics.byOutcome(task.stageType, 'lease_lost').total.inc();
      this.leaseLost(eventBase(task));
      this.running.delete(run);
    });
    this.running.add(run);
  }

  /** Aborts every handler still running (the worker is stopping); the runner releases those tasks at once. */
  abortAll(): void {
    for (const entry of this.d.leases.all()) entry.abort('shutdown', 'worker is shutting down');
  }
}
