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
  /**
   * Follow the job's event stream (GET /jobs/{id}/events) and read the job again on each change instead of
   * every pollMs; falls back to polling when the manager has no stream or it breaks. Default true.
   */
  events?: boolean;
}

/** A stream of change notices: resolves true on a change, false once the stream is gone. */
export interface ChangeStream {
  next(): Promise<boolean>;
}

/** While following the event stream, the job is still read this often (a safety net, not the signal). */
const STREAM_SAFETY_POLL_MS = 30_000;

export class WaitTimeoutError extends JobnikError {
  override name = 'WaitTimeoutError';
}

export async function waitForJob<TJob extends Pick<Job, 'status' | 'percentage'>>(
  jobId: string,
  fetchJob: (signal: AbortSignal | undefined) => Promise<TJob>,
  o: WaitForJobOptions<TJob> = {},
  openChanges?: (signal: AbortSignal) => Promise<ChangeStream | null>,
): Promise<TJob> {
  const pollMs = o.pollMs ?? 1_000;
  const deadline = o.timeoutMs === undefined ? Infinity : Date.now() + o.timeoutMs;
  let last: string | undefined;
  // The stream opens before the first read, so no change between the two is missed.
  const streamAbort = new AbortController();
  const onAbort = () => streamAbort.abort();
  o.signal?.addEventListener('abort', onAbort, { once: true });
  let changes = o.events !== false && openChanges ? await openChanges(streamAbort.signal) : null;
  // A notice asked for and not yet come (kept across a safety-net read so none is lost).
  let pending: Promise<boolean> | null = null;
  try {
    return await loop();
  } finally {
    streamAbort.abort();
    o.signal?.removeEventListener('abort', onAbort);
  }

  async function loop(): Promise<TJob> {
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
    if (changes) {
      const wait = new AbortController();
      const relay = () => wait.abort();
      o.signal?.addEventListener('abort', relay, { once: true });
      try {
        const notice = (pending ??= changes.next().then((more) => {
          pending = null;
          return more;
        }));
        const changed = await Promise.race([notice, sleep(Math.min(STREAM_SAFETY_POLL_MS, left), wait.signal).then(() => true)]);
        if (!changed) changes = null; // the stream is gone: poll from now on
      } finally {
        wait.abort();
        o.signal?.removeEventListener('abort', relay);
      }
      o.signal?.throwIfAborted();
    } else {
      await sleep(Math.min(pollMs, left), o.signal);
    }
  }
  }
}
