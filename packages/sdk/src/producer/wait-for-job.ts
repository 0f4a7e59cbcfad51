// Polls a job until it reaches a final status, reporting progress on the way.
import { FINAL_JOB_STATUSES, type Job } from '@jobnik/contracts';
import { JobnikError, ManagerUnavailableError } from '../errors.js';
import { sleep } from '../util/abortable-sleep.js';

export interface WaitForJobOptions<TJob extends Job | object = Job> {
  /** Called with the job whenever its status or percentage changed since the last poll (and once at the start). */
  onProgress?: (job: TJob) => void;
  /** Aborts the wait; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Time between polls. Default 1 000 ms. */
  pollMs?: number;
  /** Give up after this long (rejects with WaitTimeoutError). Default: wait forever. */
  timeoutMs?: number;
}

export class WaitTimeoutError extends JobnikError {
  override name = 'WaitTimeoutError';
}

export async function waitForJob<TJob extends Pick<Job, 'status' | 'percentage'>>(
  jobId: string,
  fetchJob: (signal: AbortSignal | undefined) => Promise<TJob>,
  o: WaitForJobOptions<TJob> = {},
): Promise<TJob> {
  const pollMs = o.pollMs ?? 1_000;
  const deadline = o.timeoutMs === undefined ? Infinity : Date.now() + o.timeoutMs;
  let last: string | undefined;
  for (;;) {
    o.signal?.throwIfAborted();
    let job: TJob | undefined;
    try {
      job = await fetchJob(o.signal);
    } catch (err) {
      // A manager outage while waiting is not the job's outcome: keep polling until the deadline.
      if (!(err instanceof ManagerUnavailableError)) throw err;
    }
    if (job) {
      const seen = `${job.status}:${job.percentage}`;
      if (seen !== last) {
        last = seen;
        o.onProgress?.(job);
      }
      if (FINAL_JOB_STATUSES.includes(job.status)) return job;
    }
    const left = deadline - Date.now();
    if (left <= 0) throw new WaitTimeoutError(`job ${jobId} not finished after ${o.timeoutMs} ms`, { code: 'TIMEOUT' });
    await sleep(Math.min(pollMs, left), o.signal);
  }
}
