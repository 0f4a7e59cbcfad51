// The `ctx` a handler receives (TaskContext), one per task. A class rather than an object literal: a literal with
// getters and arrow functions allocates its accessors and closures on every task, and most handlers never touch
// `signal`, `log`, `progress` or `checkpoint`. Those are made on first use; `progress` and `checkpoint` are
// functions bound to their task, so a handler may destructure them (`const { progress } = ctx`).
import type { JobContext, LeasedTask, StageContext } from '@jobnik/contracts';
import { childLogger, type Logger } from '../logger.js';
import type { ProducerClient } from '../producer/producer-client.js';
import type { HeartbeatLoop } from './heartbeat-loop.js';
import type { LeaseEntry } from './lease-registry.js';

/** What every task's context shares: the worker's logger, heartbeat and producer. */
export interface HandlerContextDeps {
  logger: Logger;
  heartbeat: HeartbeatLoop;
  producer: ProducerClient;
}

export class HandlerContext {
  readonly attempt: number;
  private logger: Logger | undefined;
  private progressFn: ((fraction: number) => Promise<void>) | undefined;
  private checkpointFn: ((value: unknown) => Promise<void>) | undefined;

  constructor(
    private readonly task: LeasedTask,
    readonly job: JobContext | undefined,
    readonly stage: StageContext | undefined,
    private readonly entry: LeaseEntry,
    private readonly deps: HandlerContextDeps,
  ) {
    this.attempt = task.attempts;
  }

  get signal(): AbortSignal {
    return this.entry.signal;
  }

  get producer(): ProducerClient {
    return this.deps.producer;
  }

  get log(): Logger {
    const t = this.task;
    return (this.logger ??= childLogger(this.deps.logger, { taskId: t.id, jobId: t.jobId, stageType: t.stageType, attempt: t.attempts }));
  }

  get progress(): (fraction: number) => Promise<void> {
    const entry = this.entry;
    return (this.progressFn ??= (fraction: number) => {
      entry.setProgress(fraction);
      return Promise.resolve();
    });
  }

  get checkpoint(): (value: unknown) => Promise<void> {
    const { entry, deps } = this;
    return (this.checkpointFn ??= (value: unknown) => {
      const saved = entry.setCheckpoint(value as never);
      deps.heartbeat.soon();
      return Promise.race([saved, entry.whenAborted().then(() => undefined)]);
    });
  }

  /** What a handler sees when it logs or inspects its context. */
  toJSON(): object {
    return { attempt: this.attempt, job: this.job, stage: this.stage };
  }
}
