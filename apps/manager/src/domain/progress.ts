// Progress and ETA of a stage or a job from its task counts and its running tasks' reported progress.
// Pure; the formula is documented in the manager README ("Progress and ETA").
import { totalOf, type TaskCounts } from './stage-machine.js';

export interface ProgressInput {
  /** The stage's or job's status: COMPLETED reads 100 %; a final status has no ETA. */
  status: string;
  final: boolean;
  counts: TaskCounts;
  /** Σ progress (0–1) reported by the running (IN_PROGRESS) tasks. */
  runningProgress: number;
  startedAt: Date | null;
  now: Date;
}

export interface Progress {
  percentage: number;
  /** Milliseconds until done at the throughput observed since it started; null when unknown or finished. */
  etaMs: number | null;
}

/**
 * Each task weighs 1. done = completed + Σ running progress; percentage = ⌊100 · done / total⌋ (100 once
 * COMPLETED). Work so far = done + failed (a failed task's work is over); remaining = total − completed − failed
 * − aborted − Σ running progress; throughput = work so far / time since started; ETA = remaining / throughput.
 */
export function progressOf(p: ProgressInput): Progress {
  const total = totalOf(p.counts);
  const running = Math.min(Math.max(p.runningProgress, 0), p.counts.inProgress);
  const done = p.counts.completed + running;
  const percentage = p.status === 'COMPLETED' ? 100 : total === 0 ? 0 : Math.min(100, Math.floor((done * 100) / total));
  if (p.final || !p.startedAt || total === 0) return { percentage, etaMs: null };
  const elapsed = p.now.getTime() - p.startedAt.getTime();
  const work = done + p.counts.failed;
  const remaining = Math.max(0, total - p.counts.completed - p.counts.failed - p.counts.aborted - running);
  if (work <= 0 || elapsed <= 0) return { percentage, etaMs: null };
  return { percentage, etaMs: Math.round((remaining * elapsed) / work) };
}
