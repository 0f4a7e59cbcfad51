// Reads what the chaos workers wrote: executions (exec-*.log) and SDK-reported outcomes (events-*.log).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ExecutionLogs {
  /** Handler starts, all processes together. */
  executions: number;
  /** Handler starts per task id. */
  executionsByTask: Map<string, number>;
  /** Per task: the distinct executions (`pid:attempt`) the SDK told a completion was applied. */
  completionsByTask: Map<string, Set<string>>;
  /** Outcome counts by event letter (C, R, L, F, X). */
  events: Record<string, number>;
}

function lines(file: string): string[][] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => l.split(' '));
}

export function readExecutionLogs(dir: string): ExecutionLogs {
  const out: ExecutionLogs = { executions: 0, executionsByTask: new Map(), completionsByTask: new Map(), events: {} };
  for (const name of readdirSync(dir)) {
    if (name.startsWith('exec-')) {
      for (const [taskId] of lines(join(dir, name))) {
        // A SIGKILL can cut the last line short; a uuid has 36 characters.
        if (taskId?.length !== 36) continue;
        out.executions++;
        out.executionsByTask.set(taskId, (out.executionsByTask.get(taskId) ?? 0) + 1);
      }
    } else if (name.startsWith('events-')) {
      for (const [kind, taskId, attempt, pid] of lines(join(dir, name))) {
        if (!kind || taskId?.length !== 36 || pid === undefined) continue;
        out.events[kind] = (out.events[kind] ?? 0) + 1;
        if (kind !== 'C') continue;
        const set = out.completionsByTask.get(taskId) ?? new Set<string>();
        set.add(`${pid}:${attempt}`);
        out.completionsByTask.set(taskId, set);
      }
    }
  }
  return out;
}

/** Executions so far per worker pid (cheap enough to poll: counts newlines only). */
export function executionsByPid(dir: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const name of readdirSync(dir)) {
    const m = /^exec-(\d+)\.log$/.exec(name);
    if (!m) continue;
    const buf = readFileSync(join(dir, name));
    let n = 0;
    for (let i = 0; i < buf.length; i++) if (buf[i] === 10) n++;
    out.set(Number(m[1]), n);
  }
  return out;
}

/** Executions so far, all workers together. */
export function countExecutions(dir: string): number {
  let n = 0;
  for (const v of executionsByPid(dir).values()) n += v;
  return n;
}

/** Per task: the last checkpoint step the manager stored (K lines of checkpointing tasks). */
export function checkpointStepsByTask(dir: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const name of readdirSync(dir)) {
    if (!name.startsWith('events-')) continue;
    for (const [kind, taskId, step] of lines(join(dir, name))) {
      if (kind === 'K' && taskId?.length === 36) out.set(taskId, Math.max(out.get(taskId) ?? 0, Number(step)));
    }
  }
  return out;
}
