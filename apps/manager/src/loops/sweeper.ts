// Runs the lost-task collector on an interval. Safe on every replica: the statement skips locked rows.
import type { Logger } from 'pino';
import type { Db } from '../db/db.js';
import { SWEEPER_ACTOR, TIMEOUT_ACTOR } from '../domain/audit.js';
import { emptyOutcome } from '../domain/settle-outcome.js';
import { endJob, publish, settle } from '../services/settle.js';
import { lockTimedOutJobs } from '../store/jobs.js';
import { sweepExpired } from '../store/sweep.js';
import { advanceSweepWatermark } from '../store/sweep-watermark.js';
import type { Tally } from '../store/throughput.js';
import { Periodic } from './periodic.js';

const BATCH = 1000;
/** A pass over every running task at least this often; the passes between start at a watermark. */
const FULL_PASS_MS = 60_000;
/**
 * How far before the last pass's start the next one looks: a lease that became visible after that pass (its dequeue
 * committed late) still expired after this point unless its transaction ran longer than this plus the lease.
 */
const WATERMARK_SLACK_MS = 5_000;
/** A stall of the process past this (beyond one interval) puts the next pass off by an interval. */
const STALL_MS = 1_000;
/** Timed-out jobs failed per transaction. */
const JOB_BATCH = 50;

export interface SweepTotals {
  /** Jobs failed with TIMEOUT (past their timeoutMs). */
  jobsTimedOut?: number;
  retried: number;
  failed: number;
  timedOut: number;
  /** Tasks failed for good, by tenant. */
  tallies: Tally[];
}

export class Sweeper {
  private readonly loop: Periodic;
  /** Leases that expired before it were swept by an earlier pass; null = the next pass looks at every running task. */
  private watermark: Date | null = null;
  private lastFullPass = 0;
  private readonly slackMs: number;

  constructor(
    private readonly db: Db,
    intervalMs: number,
    private readonly logger: Logger,
    private readonly onSwept: (t: SweepTotals) => void = () => undefined,
    /** history.enabled */
    private readonly history = true,
  ) {
    // After a stall of the manager, the heartbeats and acks that waited in its sockets extend and settle their leases
    // before the next pass counts those leases as expired.
    this.loop = new Periodic('sweep', intervalMs, () => this.sweepAll(false), logger, { skipAfterStallMs: STALL_MS });
    this.slackMs = WATERMARK_SLACK_MS + 2 * intervalMs;
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /**
   * Sweeps until a batch comes back short; returns what it did. `full`: look at every running task (else from the
   * watermark, with a full pass at least every minute: under a held xmin horizon a full pass walks every lease taken
   * since the hold began).
   */
  async sweepAll(full = true): Promise<SweepTotals> {
    const totals: SweepTotals = { retried: 0, failed: 0, timedOut: 0, tallies: [] };
    const now = Date.now();
    const since = full || this.watermark === null || now - this.lastFullPass >= FULL_PASS_MS ? null : this.watermark;
    if (since === null) this.lastFullPass = now;
    let startedAt: Date | null = null;
    for (;;) {
      const r = await this.db.transaction(async (tx) => {
        const swept = await sweepExpired(tx, BATCH, this.history, since);
        const out = await settle(tx, swept.stages, { actor: SWEEPER_ACTOR, record: this.history });
        for (const t of swept.stageTypes) out.wake.add(t);
        await publish(tx, out);
        return swept;
      });
      totals.retried += r.retried;
      totals.failed += r.failed;
      totals.timedOut += r.timedOut;
      totals.tallies.push(...r.tallies);
      startedAt ??= r.sweptAt;
      if (r.retried + r.failed < BATCH) break;
    }
    // Every lease that had expired when this pass began is swept (or locked by another replica's pass). The shared
    // watermark tells every replica's counts of running tasks where tasks_running's live leases begin.
    if (startedAt) {
      this.watermark = new Date(startedAt.getTime() - this.slackMs);
      await advanceSweepWatermark(this.db, this.watermark);
    }
    totals.jobsTimedOut = await this.expireJobs();
    if (totals.retried + totals.failed + totals.jobsTimedOut > 0) {
      this.logger.info({ retried: totals.retried, failed: totals.failed, timedOut: totals.timedOut, jobsTimedOut: totals.jobsTimedOut }, 'sweeper recovered lost tasks');
      this.onSwept(totals);
    }
    return totals;
  }

  /**
   * Fails the jobs past their timeoutMs with TIMEOUT: their open stages and tasks are aborted, so running
   * tasks are told to stop (the directive notification of migration 0005, and their next heartbeat). Jobs
   * are locked with SKIP LOCKED, so replicas never fail the same job twice.
   */
  async expireJobs(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.db.transaction(async (tx) => {
        const jobs = await lockTimedOutJobs(tx, JOB_BATCH);
        const out = emptyOutcome();
        const audit = { actor: TIMEOUT_ACTOR, record: this.history };
        for (const j of jobs) {
          await endJob(tx, j.id, 'FAILED', out, audit, { code: 'TIMEOUT', message: `job did not finish within its timeoutMs (${j.timeout_ms} ms)` });
        }
        await publish(tx, out);
        return jobs.length;
      });
      total += n;
      if (n < JOB_BATCH) return total;
    }
  }
}
