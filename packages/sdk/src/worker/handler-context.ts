// The `ctx` a handler receives (TaskContext), one per task. A class rather than an object literal: a literal with
// getters and arrow functions allocates its accessors and closures on every task, and most handlers never touch
// `signal`, `log`, `progress` or `checkpoint`. Those are made on first use; `progress` and `checkpoint` are
// functions bound to their task, so a handler may destructure them (`const { progress } = ctx`).
import type { JobContext, LeasedTask, StageContext } from '@jobnik/contracts';
import { childLogger, type Logger } from '../logger.js';
import type { ProducerClient } from '../producer/producer-client.js';
import type { HeartbeatLoop } from './heartbeat-loop.js';
import type { LeaseEntry } from './lease-registry.js';
import { notJson } from './json-value.js';

/** What every task's context shares: the worker's logger, heartbeat and producer. */
export interface HandlerContextDeps {
  logger: Logger;
  heartbeat: HeartbeatLoop;
  producer: ProducerClient;
}

export class HandlerContext {
  readonly attempt: number;
  readonly job: JobContext | undefined;
  readonly stage: StageContext | undefined;
  // Private (#) fields: a spread or a serialization of ctx does not expose the worker's internals.
  readonly #task: LeasedTask;
  readonly #entry: LeaseEntry;
  readonly #deps: HandlerContextDeps;
  #log: Logger | undefined;
  #progress: ((fraction: number) => Promise<void>) | undefined;
  #checkpoint: ((value: unknown) => Promise<void>) | undefined;

  constructor(task: LeasedTask, job: JobContext | undefined, stage: StageContext | undefined, entry: LeaseEntry, deps: HandlerContextDeps) {
    this.attempt = task.attempts;
    this.job = job;
    this.stage = stage;
    this.#task = task;
    this.#entry = entry;
    this.#deps = deps;
  }

  get signal(): AbortSignal {
    return this.#entry.signal;
  }

  get producer(): ProducerClient {
    return this.#deps.producer;
  }

  get log(): Logger {
    const t = this.#task;
    return (this.#log ??= childLogger(this.#deps.logger, { taskId: t.id, jobId: t.jobId, stageType: t.stageType, attempt: t.attempts }));
  }

  get progress(): (fraction: number) => Promise<void> {
    const entry = this.#entry;
    return (this.#progress ??= (fraction: number) => {
      // Thrown here, in the handler that made the mistake: sent on, it would make the manager refuse the heartbeat.
      if (typeof fraction !== 'number' || !(fraction >= 0 && fraction <= 1)) {
        throw new RangeError(`progress is a fraction from 0 to 1 (0.5 for half done), got ${String(fraction)}`);
      }
      entry.setProgress(fraction);
      return Promise.resolve();
    });
  }

  get checkpoint(): (value: unknown) => Promise<void> {
    const entry = this.#entry;
    const deps = this.#deps;
    return (this.#checkpoint ??= (value: unknown) => {
      const problem = notJson(value);
      if (problem !== null) throw new TypeError(`a checkpoint is stored as JSON, and this one cannot be written as JSON: ${problem}`);
      const saved = entry.setCheckpoint(value as never);
      deps.heartbeat.soon();
      const done = Promise.race([saved, entry.whenAborted().then(() => undefined)]);
      // A checkpoint the manager refuses rejects an awaiting handler; one not awaited must not end the process (the
      // worker's error event reports it either way).
      done.catch(() => undefined);
      return done;
    });
  }
}
