// The worker hot path: lease tasks (long-polling when none is ready), acknowledge them in fenced
// batches, and keep leases alive with heartbeats that answer a directive per task.
import type { AckOutcome, AckResponse, Directive, HeartbeatResponse, TaskStatus } from '@jobnik/contracts';
import type { Db, Queryable } from '../db/db.js';
import { delay } from '../delay.js';
import { completeTasks, failTasks, fenceStates, isSettleNeeded, releasePaused, releaseTasks, type AckResult } from '../store/acks.js';
import type { Tally } from '../store/throughput.js';
import { dequeueTasks, lockFlowControls, type RawDequeue } from '../store/dequeue.js';
import { heartbeat } from '../store/heartbeat.js';
import { workerActor } from '../domain/audit.js';
import { ValidationError } from '../domain/errors.js';
import { iso } from '../store/mappers.js';
import { AloneCompletions } from './alone-completions.js';
import { CompletionCombiner } from './completion-combiner.js';
import { notifyReady, type ReadySignal } from './ready-signal.js';
import type { ScanMarks } from './scan-marks.js';
import { publish, settle } from './settle.js';
import { jobTracesOfTasks } from '../store/job-traces.js';
import { linkJobTraces, linkTaskTraces } from '../telemetry/task-links.js';
import { tracer } from '../telemetry/tracer.js';

export interface WorkServiceOptions {
  defaultLeaseMs: number;
  /** history.enabled: record attempts and the transitions they cause. */
  history: boolean;
}

export interface WorkHooks {
  /** A dequeue handed out tasks after `seconds` of database work. */
  dequeued?(count: number, seconds: number): void;
  /** A dequeue leased fewer than asked because a rate limit (`rate_limit`) or a capacity (`capacity`) held ready work back. */
  throttled?(reason: 'rate_limit' | 'capacity'): void;
  /** An ack batch committed: its tasks reached these statuses; `tallies` counts those finished for good, by tenant. */
  acked?(statuses: TaskStatus[], tallies: Tally[], attempts?: number[]): void;
  /**
   * The limited round (capped, grouped or rate-limited queues) failed after the first round had leased `leased` tasks:
   * those are handed out anyway (their leases are committed), and the error is reported here instead of thrown.
   */
  limitedRoundFailed?(err: unknown, leased: number): void;
}

export interface DequeueInput {
  stageTypes: string[];
  workerId: string;
  max: number;
  waitMs: number;
  leaseMs?: number;
  tenantId: string | null;
  /** Only queues with ready tasks and none in progress (DequeueRequest.quietOnly). */
  quietOnly?: boolean;
}

type AckKind = 'complete' | 'fail' | 'release';

/** What every ack item carries; a completion also its result. */
interface AckItem {
  taskId: string;
  leaseToken: string;
  result?: unknown;
}

/**
 * Completion batches of one scope running at once; the requests that arrive meanwhile wait for one to end and go
 * together. Two: while one batch holds its stage's counters row, the next one's task updates run beside it.
 */
const COMPLETIONS_IN_FLIGHT = 2;
/** Items of one combined completion (the API takes up to 1,000 per request). */
const COMPLETIONS_MAX_ITEMS = 2_000;

/** A dequeue's answer: DequeueResponse as JSON text, sent as it is, and the number of tasks it leases. */
export interface DequeueBody {
  count: number;
  json: string;
}

const EMPTY_DEQUEUE = '{"tasks":[],"jobs":[],"stages":[]}';

/**
 * A long-poll held back by a full capacity (queue cap or group) looks again this often: a completion frees room
 * without making anything ready, so no wake-up is sent for it. (The worker that completed a task usually asks
 * again at once and takes the room itself; this bounds the wait of the others.)
 */
const CAPACITY_RECHECK_MS = 200;

/** What an ack repeat looks like when the first one was applied but its answer was lost. */
const ALREADY_DONE: Record<AckKind, readonly TaskStatus[]> = {
  complete: ['COMPLETED'],
  fail: ['FAILED', 'PENDING'],
  release: ['PENDING'],
};

export class WorkService {
  private readonly aloneCompletions = new AloneCompletions();
  private readonly completions = new CompletionCombiner<string | null, AckItem, AckResponse>({
    maxInFlight: COMPLETIONS_IN_FLIGHT,
    maxItems: COMPLETIONS_MAX_ITEMS,
    keyOf: (i) => `${i.taskId}/${i.leaseToken}`,
    run: (scope, requests) => this.completeMany(scope, requests),
  });

  constructor(
    private readonly db: Db,
    private readonly ready: ReadySignal,
    private readonly marks: ScanMarks,
    private readonly options: WorkServiceOptions,
    private readonly hooks: WorkHooks = {},
  ) {}

  /** Resolves to the response body (DequeueResponse as JSON text) and how many tasks it leases. */
  async dequeue(input: DequeueInput, signal?: AbortSignal): Promise<DequeueBody> {
    const deadline = Date.now() + input.waitMs;
    const arrived = performance.now();
    for (;;) {
      // A poll whose client has gone (closed while it waited) leases nothing: nobody would receive the tasks.
      if (signal?.aborted) return { count: 0, json: EMPTY_DEQUEUE };
      const ticket = this.ready.arm(input.stageTypes, input.quietOnly === true && input.tenantId === null);
      try {
        const started = performance.now();
        const raw = await this.tryDequeue(input);
        if (raw.count > 0 && signal?.aborted) {
          // The client went away while the statement ran: give the leases back at once, uncounted, instead of
          // leaving the tasks to wait out their lease on a dead connection.
          await this.giveBack(raw);
          return { count: 0, json: EMPTY_DEQUEUE };
        }
        if (raw.count > 0) {
          this.hooks.dequeued?.(raw.count, (performance.now() - started) / 1000);
          const span = tracer.startSpan('dequeue', { startTime: performance.timeOrigin + started, attributes: { 'jobnik.tasks': raw.count, 'jobnik.worker_id': input.workerId } });
          linkJobTraces(span, raw.jobs);
          span.end();
          // heldMs counts to the statement's start, leaseMs from it: the worker's estimate of the expiry errs early.
          const heldMs = Math.floor(started - arrived);
          const leaseMs = input.leaseMs ?? this.options.defaultLeaseMs;
          return { count: raw.count, json: `{"tasks":${raw.tasks},"jobs":${raw.jobs},"stages":${raw.stages},"heldMs":${heldMs},"leaseMs":${leaseMs}}` };
        }
        const now = Date.now();
        if (now >= deadline || signal?.aborted || this.ready.closed) return { count: 0, json: EMPTY_DEQUEUE };
        // Sleep until woken, until the earliest delayed task is due, or until the deadline.
        let dueIn = raw.nextRunAfter ? Math.max(1, raw.nextRunAfter.getTime() - now) : Infinity;
        // Held back by a rate limit: until its next start is due; by a capacity: a short recheck.
        if (raw.rateWakeAt) dueIn = Math.min(dueIn, Math.max(1, raw.rateWakeAt.getTime() - now));
        if (raw.capHeld) dueIn = Math.min(dueIn, CAPACITY_RECHECK_MS);
        const abort = new AbortController();
        const onAbort = () => abort.abort();
        signal?.addEventListener('abort', onAbort, { once: true });
        await Promise.race([ticket.woken, delay(Math.min(deadline - now, dueIn), abort.signal)]);
        abort.abort();
        signal?.removeEventListener('abort', onAbort);
      } finally {
        ticket.disarm();
      }
    }
  }

  /** Releases what a dequeue leased (the attempts are not counted), as the worker would have. */
  private async giveBack(raw: RawDequeue): Promise<void> {
    const tasks = JSON.parse(raw.tasks) as { id: string; leaseToken: string }[];
    await this.release(null, tasks.map((t) => ({ taskId: t.id, leaseToken: t.leaseToken })));
  }

  private async tryDequeue(input: DequeueInput): Promise<RawDequeue> {
    const params = {
      stageTypes: input.stageTypes,
      tenantId: input.tenantId,
      workerId: input.workerId,
      max: input.max,
      leaseMs: input.leaseMs ?? this.options.defaultLeaseMs,
      cappedLocked: false,
      history: this.options.history,
      quietOnly: input.quietOnly ?? false,
    };
    const scan = this.marks.begin(input.stageTypes);
    const failed = (err: unknown): never => {
      scan.failed();
      throw err;
    };
    const first = await dequeueTasks(this.db, { ...params, marks: scan.marks }).catch(failed);
    if (!first.anyLimited || first.count >= input.max) {
      scan.done(first.marks);
      return first;
    }
    // Limited queues (caps, groups, rate limits) are served under their locks so no replica can race past a limit.
    // The scan ends after this round: its looks behind the limited queues' marks happen here, so they are claimed and
    // timed with it (else, under a held horizon, every dequeue of a capped queue could look, at once, at any cost).
    let second: RawDequeue;
    try {
      second = await this.db.transaction(async (tx) => {
        await lockFlowControls(tx, first.cappedIds, first.groupNames);
        return dequeueTasks(tx, { ...params, marks: scan.marks, max: input.max - first.count, cappedLocked: true });
      });
    } catch (err) {
      if (first.count === 0) return failed(err);
      // The first round's leases are committed: hand them out rather than leave them to expire unrun (an attempt
      // each, and a task's last one would fail it without its handler ever running). The next dequeue tries again.
      scan.done(first.marks);
      this.hooks.limitedRoundFailed?.(err, first.count);
      return first;
    }
    scan.done([...first.marks, ...second.marks]);
    if (second.rateHeld) this.hooks.throttled?.('rate_limit');
    if (second.capHeld) this.hooks.throttled?.('capacity');
    if (first.count === 0) return { ...second, nextRunAfter: second.count > 0 ? null : second.nextRunAfter ?? first.nextRunAfter };
    if (second.count === 0) return first;
    // Both rounds leased tasks (rare: uncapped and capped queues in one call): join their arrays.
    const join = <T extends { id: string }>(a: string, b: string) => JSON.stringify(dedupe([...(JSON.parse(a) as T[]), ...(JSON.parse(b) as T[])]));
    return {
      ...second,
      count: first.count + second.count,
      tasks: join(first.tasks, second.tasks),
      jobs: join(first.jobs, second.jobs),
      stages: join(first.stages, second.stages),
      nextRunAfter: null,
    };
  }

  /**
   * `scope`: the caller's tenant (null = every tenant); tasks of other tenants answer TASK_NOT_FOUND. Completions of one
   * scope that arrive while others run are committed together (completion-combiner.ts); each keeps its own answer.
   */
  async complete(scope: string | null, items: AckItem[]): Promise<AckResponse> {
    rejectDuplicates(items);
    return this.completions.submit(scope, items);
  }

  /** Completion requests of one scope as one batch statement: one answer per request. */
  private completeMany(scope: string | null, requests: AckItem[][]): Promise<AckResponse[]> {
    const rows = requests.flat().map((i) => ({ task_id: i.taskId, lease_token: i.leaseToken, result: i.result ?? null }));
    return this.ack('complete', scope, requests, (tx) => completeTasks(tx, scope, rows, this.options.history), () =>
      completeTasks(this.db, scope, rows, this.options.history, true),
    );
  }

  async fail(scope: string | null, items: { taskId: string; leaseToken: string; error: { message: string; code?: string; stack?: string; retryable?: boolean }; checkpoint?: unknown }[]): Promise<AckResponse> {
    rejectDuplicates(items);
    const [response] = await this.ack('fail', scope, [items], (tx) =>
      failTasks(
        tx,
        scope,
        items.map((i) => {
          const { retryable, ...error } = i.error;
          return { task_id: i.taskId, lease_token: i.leaseToken, error, retryable: retryable !== false, checkpoint: i.checkpoint ?? null, has_checkpoint: i.checkpoint !== undefined };
        }),
        this.options.history,
      ),
    );
    return response!;
  }

  async release(scope: string | null, items: { taskId: string; leaseToken: string; checkpoint?: unknown }[]): Promise<AckResponse> {
    rejectDuplicates(items);
    const rows = items.map((i) => ({ task_id: i.taskId, lease_token: i.leaseToken, checkpoint: i.checkpoint ?? null, has_checkpoint: i.checkpoint !== undefined }));
    const [response] = await this.ack('release', scope, [items], async (tx) => {
      const result = await releaseTasks(tx, scope, rows, this.options.history);
      // Tasks suspended while they ran stay PAUSED; their release still carries the last checkpoint.
      const appliedIds = new Set(result.applied.map((a) => a.id));
      const paused = await releasePaused(tx, scope, rows.filter((r) => !appliedIds.has(r.task_id)));
      for (const r of rows) {
        if (paused.has(r.task_id)) result.applied.push({ id: r.task_id, lease_token: r.lease_token, status: 'PAUSED', run_after: new Date().toISOString() });
      }
      return result;
    });
    return response!;
  }

  /**
   * One transaction: the batch statement, the roll-up consequences, and the per-item answers; observed once committed.
   * `alone`, when given, first runs the batch statement on its own: an ack that ends no stage — nearly every one — is then
   * that statement's commit, without holding its stage's row across two more round trips through this process. It
   * throws isSettleNeeded (rolled back whole) when a stage may have ended, and the transaction runs instead.
   * `requests`: the items of each request the batch carries (several only for combined completions); one answer each.
   */
  private async ack(
    kind: AckKind,
    scope: string | null,
    requests: AckItem[][],
    apply: (tx: Queryable) => Promise<AckResult>,
    alone?: () => Promise<AckResult>,
  ): Promise<AckResponse[]> {
    const items = requests.flat();
    const committedAlone = alone && this.aloneCompletions.shouldTry() ? await this.ackAlone(kind, scope, requests, alone) : null;
    const { responses, result } = committedAlone ?? (await this.db.transaction(async (tx) => {
      const result = await apply(tx);
      const out = await settle(tx, result.stages, { actor: workerActor(result.worker ?? '?'), record: this.options.history });
      for (const t of result.stageTypes) out.wake.add(t);
      await publish(tx, out);
      return { responses: await this.outcomes(tx, kind, scope, requests, result), result };
    }));
    this.hooks.acked?.(
      result.applied.map((a) => a.status),
      result.tallies,
      result.applied.map((a) => a.attempts ?? 0),
    );
    await linkTaskTraces(() => jobTracesOfTasks(this.db, items.map((i) => i.taskId)));
    return responses;
  }

  /** The batch statement on its own, committed; null when it found a stage to settle (and rolled back). */
  private async ackAlone(
    kind: AckKind,
    scope: string | null,
    requests: AckItem[][],
    alone: () => Promise<AckResult>,
  ): Promise<{ responses: AckResponse[]; result: AckResult } | null> {
    let result: AckResult;
    try {
      result = await alone();
    } catch (err) {
      if (!isSettleNeeded(err)) throw err;
      this.aloneCompletions.tried(true);
      return null;
    }
    this.aloneCompletions.tried(false);
    // Settled nothing (the statement checked); tasks back to PENDING are woken for as the transaction would.
    await notifyReady(this.db, result.stageTypes);
    // Items it did not apply are classified from what is committed now.
    return { responses: await this.outcomes(this.db, kind, scope, requests, result), result };
  }

  /** Each request's answer: its items that applied, and why the others did not (one read for all of them). */
  private async outcomes(tx: Queryable, kind: AckKind, scope: string | null, requests: AckItem[][], result: AckResult): Promise<AckResponse[]> {
    const items = requests.flat();
    // Keyed by task and token: a batch may carry a stale and a fresh lease of the same task.
    const key = (id: string, token: string) => `${id}/${token}`;
    const applied = new Map(result.applied.map((a) => [key(a.id, a.lease_token), a]));
    const missing = items.filter((i) => !applied.has(key(i.taskId, i.leaseToken)));
    const fences = missing.length ? await fenceStates(tx, scope, missing.map((i) => ({ task_id: i.taskId, lease_token: i.leaseToken, result: i.result }))) : new Map();
    const outcome = (i: AckItem): AckOutcome => {
      const a = applied.get(key(i.taskId, i.leaseToken));
      if (a) return { taskId: i.taskId, ok: true, status: a.status, ...(a.status === 'PENDING' && kind === 'fail' ? { runAfter: iso(a.run_after) } : {}) };
      const f = fences.get(i.taskId);
      if (!f) return { taskId: i.taskId, ok: false, code: 'TASK_NOT_FOUND' };
      if (!f.token_matches) return { taskId: i.taskId, ok: false, code: 'LEASE_LOST', status: f.status };
      // A repeat whose first answer was lost is ok; a second completion with another result is not stored, and says so.
      if (kind === 'complete' && f.status === 'COMPLETED' && !f.same_result) return { taskId: i.taskId, ok: false, code: 'ALREADY_COMPLETED', status: f.status };
      if (ALREADY_DONE[kind].includes(f.status)) return { taskId: i.taskId, ok: true, status: f.status };
      if (f.status === 'PENDING' || f.status === 'IN_PROGRESS') return { taskId: i.taskId, ok: false, code: 'LEASE_LOST', status: f.status };
      return { taskId: i.taskId, ok: false, code: 'TASK_NOT_RUNNING', status: f.status };
    };
    return requests.map((r) => ({ items: r.map(outcome) }));
  }

  async heartbeat(
    workerId: string,
    tenantId: string,
    scope: string | null,
    body: { stageTypes?: string[]; leaseMs?: number; tasks: { taskId: string; leaseToken: string; progress?: number; checkpoint?: unknown }[] },
  ): Promise<HeartbeatResponse> {
    rejectDuplicates(body.tasks, '/body/tasks');
    const rows = await heartbeat(this.db, {
      workerId,
      tenantId,
      scope,
      stageTypes: body.stageTypes ?? [],
      leaseMs: body.leaseMs ?? this.options.defaultLeaseMs,
      items: body.tasks.map((t) => ({
        task_id: t.taskId,
        lease_token: t.leaseToken,
        progress: t.progress ?? null,
        checkpoint: t.checkpoint ?? null,
        has_checkpoint: t.checkpoint !== undefined,
      })),
    });
    await linkTaskTraces(() => jobTracesOfTasks(this.db, body.tasks.map((t) => t.taskId)));
    const byId = new Map(rows.map((r) => [r.id, r]));
    return {
      tasks: body.tasks.map((t) => {
        const r = byId.get(t.taskId);
        return { taskId: t.taskId, directive: directiveOf(r?.status ?? null), leaseExpiresAt: r?.lease_expires_at ? iso(r.lease_expires_at) : null };
      }),
    };
  }
}

function directiveOf(status: TaskStatus | null): Directive {
  switch (status) {
    case 'IN_PROGRESS':
      return 'continue';
    case 'PAUSED':
      return 'suspend';
    case 'ABORTED':
      return 'cancel';
    default:
      return 'lost';
  }
}

/**
 * One lease of a task may appear once per batch (an ack's items, a heartbeat's tasks): twice, with two payloads
 * (results, progress, checkpoints), one of them would be dropped while both were answered ok. (A stale and a fresh
 * lease of the same task may travel together; they get one answer each.)
 */
function rejectDuplicates(items: readonly { taskId: string; leaseToken: string }[], path = '/body/items'): void {
  const seen = new Set<string>();
  items.forEach((i, n) => {
    const key = `${i.taskId}/${i.leaseToken}`;
    if (seen.has(key)) {
      throw new ValidationError(`task ${i.taskId} appears twice in one batch with the same lease token`, [{ path: `${path}/${n}`, message: 'duplicate of an earlier item' }], 'DUPLICATE_ITEM');
    }
    seen.add(key);
  });
}

function dedupe<T extends { id: string }>(items: T[]): T[] {
  return [...new Map(items.map((i) => [i.id, i])).values()];
}
