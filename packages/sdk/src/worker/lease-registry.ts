// The tasks this worker holds a lease on — running, or finished and waiting for their ack — with what
// the next heartbeat must carry for each (progress, checkpoint) and the controller that aborts the handler.
import type { DequeueResponse, JsonValue } from '@jobnik/contracts';
import { TaskAbortError, type TaskAbortKind } from './task-abort.js';

/** One task's part of a heartbeat. */
export interface HeartbeatItem {
  taskId: string;
  leaseToken: string;
  progress?: number;
  checkpoint?: JsonValue;
}

export class LeaseEntry {
  /**
   * Created on first use of `signal`: an AbortController costs a few microseconds and some garbage per
   * task, and most handlers never look at their signal. The runner waits on onAbort() instead.
   */
  private controller: AbortController | undefined;
  private reason: TaskAbortError | undefined;
  /** The handler returned or threw: its outcome stands, and its signal never aborts from now on. */
  private settled = false;
  private abortRequested = false;
  private abortListeners: (() => void)[] | undefined;
  /** One promise per entry, made on first wait: most tasks finish without anyone racing their abort. */
  private abortedPromise: Promise<null> | undefined;
  progress: number | undefined;
  private progressSent = true;
  /** Last checkpoint the handler saved (sent with fail/release too). */
  checkpoint: JsonValue | undefined;
  private checkpointVersion = 0;
  private checkpointSentVersion = 0;
  /** The checkpoint the manager last stored: what the acks carry again after a newer one was refused. */
  private storedCheckpoint: JsonValue | undefined;
  private checkpointWaiters: { version: number; resolve: () => void; reject?: (reason: Error) => void }[] = [];

  constructor(
    readonly taskId: string,
    readonly leaseToken: string,
    readonly stageType: string,
  ) {}

  /** The handler's ctx.signal: aborts with a TaskAbortError as reason. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.reason) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  get aborted(): boolean {
    return this.reason !== undefined;
  }

  /**
   * Aborts the handler unless it has settled. Applied on the next turn of the event loop, not at once: a
   * directive read in the same turn as the handler's return (a heartbeat answer racing the completion, a
   * shutdown) finds it settled by then, so a listener can never see the signal of a finished task fire.
   */
  abort(kind: TaskAbortKind, message: string): void {
    if (this.reason || this.settled) return;
    this.abortRequested = true;
    setImmediate(() => this.abortNow(kind, message));
  }

  /** Marks the handler as done (returned or threw): abort() is a no-op from now on. */
  markSettled(): void {
    this.settled = true;
  }

  /** The handler runs still (not returned, not aborted): a cancel or suspend would still reach it. */
  get running(): boolean {
    return !this.settled && !this.abortRequested;
  }

  private abortNow(kind: TaskAbortKind, message: string): void {
    if (this.reason || this.settled) return;
    this.reason = new TaskAbortError(kind, message);
    this.controller?.abort(this.reason);
    const listeners = this.abortListeners;
    this.abortListeners = undefined;
    if (listeners) for (const l of listeners) l();
  }

  /** Calls fn once when the task is aborted (at once if it already is). */
  onAbort(fn: () => void): void {
    if (this.reason) fn();
    else (this.abortListeners ??= []).push(fn);
  }

  /** Resolves with null once the task is aborted; the same promise for every caller. */
  whenAborted(): Promise<null> {
    return (this.abortedPromise ??= new Promise<null>((resolve) => this.onAbort(() => resolve(null))));
  }

  /** The kind of abort, if the handler was aborted. */
  get abortKind(): TaskAbortKind | undefined {
    return this.reason?.kind;
  }

  /** `p` is a fraction from 0 to 1 (ctx.progress refuses anything else). */
  setProgress(p: number): void {
    this.progress = p;
    this.progressSent = false;
  }

  /** Records a checkpoint; the promise resolves once a heartbeat carrying it (or a later one) was answered. */
  setCheckpoint(value: JsonValue): Promise<void> {
    this.checkpoint = value;
    const version = ++this.checkpointVersion;
    return new Promise((resolve, reject) => this.checkpointWaiters.push({ version, resolve, reject }));
  }

  /**
   * The heartbeat item for this task, with what changed since the last answered heartbeat. `commit`: the manager took
   * it. `refuse`: the manager refused what it carries (this task's progress or checkpoint, sent alone); both are
   * dropped, the acks carry the last stored checkpoint again and ctx.checkpoint() rejects with `reason`.
   */
  heartbeatItem(): { item: HeartbeatItem; commit: () => void; refuse: (reason: Error) => void } {
    const item: HeartbeatItem = { taskId: this.taskId, leaseToken: this.leaseToken };
    const sendProgress = !this.progressSent && this.progress !== undefined;
    if (sendProgress) item.progress = this.progress;
    const version = this.checkpointVersion;
    if (version > this.checkpointSentVersion) item.checkpoint = this.checkpoint ?? null;
    const sent = () => {
      if (sendProgress && item.progress === this.progress) this.progressSent = true;
      this.checkpointSentVersion = Math.max(this.checkpointSentVersion, version);
    };
    return {
      item,
      commit: () => {
        sent();
        if (item.checkpoint !== undefined) this.storedCheckpoint = item.checkpoint;
        this.settleCheckpointWaiters(version);
      },
      refuse: (reason) => {
        sent();
        if (item.checkpoint !== undefined && version === this.checkpointVersion) this.checkpoint = this.storedCheckpoint;
        this.settleCheckpointWaiters(version, reason);
      },
    };
  }

  /** Resolves once the latest checkpoint went out with an answered heartbeat (at once when there is none pending). */
  whenCheckpointSent(): Promise<void> {
    if (!this.hasUnsentCheckpoint) return Promise.resolve();
    const version = this.checkpointVersion;
    return new Promise((resolve) => this.checkpointWaiters.push({ version, resolve }));
  }

  get hasUnsentCheckpoint(): boolean {
    return this.checkpointVersion > this.checkpointSentVersion;
  }

  /**
   * Lets every waiter up to `upTo` go (all of them: the task is over; its checkpoint travels with the fail/release
   * ack); with `refused`, those of ctx.checkpoint() reject with it.
   */
  settleCheckpointWaiters(upTo = Infinity, refused?: Error): void {
    const keep: typeof this.checkpointWaiters = [];
    for (const w of this.checkpointWaiters) {
      if (w.version > upTo) keep.push(w);
      else if (refused && w.reject) w.reject(refused);
      else w.resolve();
    }
    this.checkpointWaiters = keep;
  }
}

export class LeaseRegistry {
  private readonly entries = new Map<string, LeaseEntry>();
  private addWaiters: (() => void)[] = [];

  add(taskId: string, leaseToken: string, stageType: string): LeaseEntry {
    const entry = new LeaseEntry(taskId, leaseToken, stageType);
    this.entries.set(taskId, entry);
    if (this.addWaiters.length > 0) for (const w of this.addWaiters.splice(0)) w();
    return entry;
  }

  /** Entries whose handler still runs. */
  running(): LeaseEntry[] {
    return this.all().filter((e) => e.running);
  }

  /** Resolves once some handler runs (at once if one does), or when the signal aborts. */
  waitForRunning(signal: AbortSignal): Promise<void> {
    if (signal.aborted || this.running().length > 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.addWaiters.push(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  get(taskId: string): LeaseEntry | undefined {
    return this.entries.get(taskId);
  }

  remove(entry: LeaseEntry): void {
    if (this.entries.get(entry.taskId) === entry) this.entries.delete(entry.taskId);
    entry.settleCheckpointWaiters();
  }

  all(): LeaseEntry[] {
    return [...this.entries.values()];
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * What is left of the leases of a dequeue answer, in ms, on this process's monotonic clock. The manager says
 * how long it held the request before leasing (heldMs) and for how long (leaseMs): the leases expire no
 * earlier than sentAt + heldMs + leaseMs, whatever the wall clocks say, and however late the answer was read
 * (a process frozen with the answer in its socket reads it after the lease lapsed, and sees so). A manager
 * that does not say counts from now, as before.
 */
export function leaseLeftMs(res: Pick<DequeueResponse, 'heldMs' | 'leaseMs'>, sentAt: number, askedLeaseMs: number, now = performance.now()): number {
  const leaseMs = res.leaseMs ?? askedLeaseMs;
  return res.heldMs === undefined ? leaseMs : sentAt + res.heldMs + leaseMs - now;
}
