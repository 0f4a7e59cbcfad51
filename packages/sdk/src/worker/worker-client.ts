// WorkerClient: register a handler per stage type, start, stop. Wires the dequeue loop, task runner,
// heartbeat loop and ack buffer together on one connection pool, and reports through events and metrics.
import { EventEmitter } from 'node:events';
import type { DequeueResponse, Directive, JobContext, StageContext } from '@jobnik/contracts';
import { LeaseLostError } from '../errors.js';
import type { Logger } from '../logger.js';
import { workerMetrics, type WorkerMetrics } from '../metrics/worker-metrics.js';
import { ProducerClient } from '../producer/producer-client.js';
import type { BreakerState } from '../transport/policies.js';
import { Transport } from '../transport/transport.js';
import type { AnyJobs, JobMapOf, StageType } from '../types.js';
import { AckBuffer } from './ack-buffer.js';
import { DequeueLoop } from './dequeue-loop.js';
import { HeartbeatLoop } from './heartbeat-loop.js';
import { DirectiveLoop } from './directive-loop.js';
import { LeaseRegistry, leaseLeftMs, type LeaseEntry } from './lease-registry.js';
import { installSignalHandlers, shutdown, type SignalHandlerOptions } from './shutdown.js';
import { Slots } from './slots.js';
import type { HandlerOptions, RegisteredHandler, TaskHandler } from './task-context.js';
import { TaskRunner } from './task-runner.js';
import type { WorkerEvents } from './worker-events.js';
import { resolveWorkerOptions, type ResolvedWorkerOptions, type WorkerOptions } from './worker-options.js';

/** A directive from the heartbeat or the directives long-poll, applied to the handler it concerns. */
function applyDirective(entry: LeaseEntry, directive: Exclude<Directive, 'continue'>): void {
  if (directive === 'cancel') entry.abort('cancelled', 'the task was cancelled');
  else if (directive === 'suspend') entry.abort('suspended', 'the task was suspended');
  else entry.abort('lease_lost', 'the lease on this task was lost');
}

const BREAKER_GAUGE: Record<BreakerState, number> = { closed: 0, open: 1, 'half-open': 2 };
const BREAKER_EVENT = { closed: 'breakerClosed', open: 'breakerOpen', 'half-open': 'breakerHalfOpen' } as const;

export class WorkerClient<J extends JobMapOf<J> = AnyJobs> extends EventEmitter<WorkerEvents> {
  readonly options: ResolvedWorkerOptions;
  readonly metrics: WorkerMetrics;
  /** A producer on this worker's connection, also given to handlers as ctx.producer. */
  readonly producer: ProducerClient<J>;
  private readonly transport: Transport;
  private readonly handlers = new Map<string, RegisteredHandler>();
  private readonly leases = new LeaseRegistry();
  private readonly slots: Slots;
  /** The quiet lane's slots (options.quietSlots, out of concurrency) and loop; none when quietSlots is 0. */
  private readonly quiet: { slots: Slots; dequeue: DequeueLoop } | undefined;
  private readonly acks: AckBuffer;
  private readonly heartbeat: HeartbeatLoop;
  private readonly runner: TaskRunner;
  private readonly dequeue: DequeueLoop;
  private readonly directives: DirectiveLoop;
  private state: 'idle' | 'running' | 'stopping' | 'stopped' = 'idle';
  private stopping: Promise<void> | undefined;

  constructor(options: WorkerOptions) {
    super();
    this.options = resolveWorkerOptions(options);
    this.transport = new Transport(options);
    this.metrics = workerMetrics(options.registry);
    this.producer = new ProducerClient<J>({ transport: this.transport });
    const { concurrency, quietSlots, maxHeldLeases } = this.options;
    this.slots = new Slots(concurrency - quietSlots, maxHeldLeases - quietSlots);
    this.acks = new AckBuffer(this.transport, { flushMs: this.options.ackFlushMs, maxBatch: this.options.ackMaxBatch, retryMs: 1_000 });
    const stageTypes = () => [...this.handlers.keys()];
    this.heartbeat = new HeartbeatLoop(
      this.transport,
      this.leases,
      { workerId: this.options.workerId, intervalMs: this.options.heartbeatIntervalMs, leaseMs: this.options.leaseMs, stageTypes, soonMs: 10 },
      applyDirective,
      (err, n) => this.reportFailure(err, n),
    );
    this.directives = new DirectiveLoop(
      this.transport,
      this.leases,
      { workerId: this.options.workerId, waitMs: this.options.waitMs, backoff: this.options.dequeueBackoff },
      applyDirective,
      (err, n) => this.reportFailure(err, n),
    );
    this.runner = new TaskRunner({
      handlers: this.handlers,
      leases: this.leases,
      acks: this.acks,
      heartbeat: this.heartbeat,
      metrics: this.metrics,
      logger: this.options.logger,
      producer: this.producer as unknown as ProducerClient,
      abandonAfterMs: this.options.abandonAfterMs,
      emit: (event, ...args) => this.safeEmit(event, ...args),
      listening: (event) => this.listenerCount(event) > 0,
    });
    this.dequeue = new DequeueLoop(this.transport, this.slots, this.metrics, this.options, stageTypes, (res, sentAt) => this.dispatch(res, sentAt, this.slots), (err, n) => this.reportFailure(err, n));
    if (quietSlots > 0) {
      // Its own share of maxHeldLeases too: acks falling behind on the main lane do not close it.
      const slots = new Slots(quietSlots, quietSlots);
      const dequeue = new DequeueLoop(
        this.transport,
        slots,
        this.metrics,
        this.options,
        stageTypes,
        (res, sentAt) => {
          this.metrics.quietTasks.inc(res.tasks.length);
          this.dispatch(res, sentAt, slots);
        },
        (err, n) => this.reportFailure(err, n),
        { mainSlots: this.slots },
      );
      this.quiet = { slots, dequeue };
    }
    this.metrics.breakerState.set(BREAKER_GAUGE[this.transport.breakerState]);
    this.transport.onBreakerStateChange((s) => {
      this.metrics.breakerState.set(BREAKER_GAUGE[s]);
      this.safeEmit('breakerStateChange', s);
      this.safeEmit(BREAKER_EVENT[s]);
    });
  }

  get workerId(): string {
    return this.options.workerId;
  }

  /** Handlers running now. */
  get inFlight(): number {
    return this.slots.inUse + (this.quiet?.slots.inUse ?? 0);
  }

  get breakerState(): BreakerState {
    return this.transport.breakerState;
  }

  /** Registers the handler of a stage type (before start). Its return value is the task's result. */
  handle<T extends StageType<J>>(stageType: T, fn: TaskHandler<J, T>, options: HandlerOptions<J, T> = {}): this {
    if (this.state !== 'idle') throw new Error('jobnik: register handlers before start()');
    if (this.handlers.has(stageType)) throw new Error(`jobnik: stage type ${stageType} already has a handler`);
    if (this.handlers.size >= 32) throw new Error('jobnik: at most 32 stage types per worker');
    this.handlers.set(stageType, { fn: fn as RegisteredHandler['fn'], ...(options.schema ? { schema: options.schema } : {}), ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) });
    return this;
  }

  /** Starts leasing and running tasks. Resolves once the loops run (the manager may still be unreachable). */
  async start(): Promise<void> {
    if (this.state !== 'idle') throw new Error(`jobnik: worker is ${this.state}`);
    if (this.handlers.size === 0) throw new Error('jobnik: register at least one handler before start()');
    this.state = 'running';
    for (const stageType of this.handlers.keys()) this.metrics.countOutcomesOf(stageType);
    this.heartbeat.start();
    this.directives.start();
    this.dequeue.start();
    this.quiet?.dequeue.start();
  }

  /**
   * Stops dequeuing, waits for running handlers up to `graceMs`, aborts and releases the rest, delivers
   * the acks and closes the connection. Resolves within graceMs; listeners still hear every event.
   */
  stop(opts: { graceMs?: number } = {}): Promise<void> {
    if (this.state === 'idle') this.state = 'stopped';
    this.stopping ??= (async () => {
      this.state = 'stopping';
      await shutdown(
        {
          dequeue: { stop: async () => void (await Promise.all([this.dequeue.stop(), this.quiet?.dequeue.stop()])) },
          slots: { waitForIdle: async () => void (await Promise.all([this.slots.waitForIdle(), this.quiet?.slots.waitForIdle()])) },
          runner: this.runner, acks: this.acks, heartbeat: this.heartbeat, directives: this.directives, transport: this.transport, ownsTransport: true },
        opts.graceMs ?? this.options.graceMs,
      );
      this.state = 'stopped';
    })();
    return this.stopping;
  }

  /** On SIGTERM/SIGINT: stop() then exit. Returns a function that removes the handlers. */
  installSignalHandlers(o: SignalHandlerOptions = {}): () => void {
    return installSignalHandlers((graceMs) => this.stop({ graceMs: graceMs ?? this.options.graceMs }), o);
  }

  get logger(): Logger {
    return this.options.logger;
  }

  /**
   * Runs the tasks of a dequeue answer, unless their lease lapsed before the answer was read (the process
   * was frozen, or the event loop blocked): those are given back without running their handler.
   */
  private dispatch(res: DequeueResponse, sentAt: number, slots: Slots): void {
    const left = leaseLeftMs(res, sentAt, this.options.leaseMs);
    if (left <= 0) {
      for (const task of res.tasks) this.runner.giveBackLapsed(task);
      return;
    }
    const jobs = new Map<string, JobContext>(res.jobs.map((j) => [j.id, j]));
    const stages = new Map<string, StageContext>(res.stages.map((s) => [s.id, s]));
    for (const task of res.tasks) this.runner.start(task, jobs.get(task.jobId), stages.get(task.stageId), slots);
    // Little of the lease left: extend it now rather than at the next interval.
    if (left < this.options.heartbeatIntervalMs) this.heartbeat.soon();
  }

  /** An outage is one event, not one per call: a loop's first failure in a row is reported, then every tenth. */
  private reportFailure(err: unknown, consecutive: number): void {
    if (consecutive === 1 || consecutive % 10 === 0) this.reportError(err);
  }

  private reportError(err: unknown): void {
    if (err instanceof LeaseLostError) return;
    this.safeEmit('error', err instanceof Error ? err : new Error(String(err)));
  }

  /** A listener that throws must not break the worker; 'error' without a listener is logged instead of thrown. */
  private safeEmit<E extends keyof WorkerEvents>(event: E, ...args: WorkerEvents[E]): void {
    if (event === 'error' && this.listenerCount('error') === 0) {
      this.options.logger.warn({ err: args[0] }, 'jobnik worker error');
      return;
    }
    try {
      (this.emit as (e: string, ...a: unknown[]) => boolean)(event, ...args);
    } catch (err) {
      this.options.logger.error({ err, event }, 'jobnik worker event listener threw');
    }
  }
}
