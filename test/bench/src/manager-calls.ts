// What the workers asked of the manager during a run, read from its Prometheus metrics: calls per hot
// route and tasks per non-empty dequeue. Small batches under load show up here before they show in tasks/s.
import { request } from 'undici';

export interface ManagerCalls {
  /** Requests per route (POST /dequeue, /tasks/complete, ...), any status. */
  byRoute: Record<string, number>;
  /** Dequeues that handed out at least one task, and the tasks they handed out. */
  dequeuesWithTasks: number;
  tasksDequeued: number;
}

const HOT = /^\/(dequeue|queues\/:stageType\/dequeue|tasks\/(complete|fail|release)|workers\/:workerId\/heartbeat|jobs)$/;

export async function managerCalls(baseUrl: string): Promise<ManagerCalls> {
  const res = await request(new URL('/metrics', baseUrl));
  const text = await res.body.text();
  const byRoute: Record<string, number> = {};
  let dequeuesWithTasks = 0;
  let tasksDequeued = 0;
  for (const line of text.split('\n')) {
    const count = /^jobnik_http_request_duration_seconds_count\{(.*)\} (\d+)/.exec(line);
    if (count) {
      const route = /route="([^"]*)"/.exec(count[1]!)?.[1] ?? '';
      if (HOT.test(route)) byRoute[route] = (byRoute[route] ?? 0) + Number(count[2]);
      continue;
    }
    const dq = /^jobnik_dequeue_latency_seconds_count (\d+)/.exec(line);
    if (dq) dequeuesWithTasks = Number(dq[1]);
    const n = /^jobnik_tasks_dequeued_total (\d+)/.exec(line);
    if (n) tasksDequeued = Number(n[1]);
  }
  return { byRoute, dequeuesWithTasks, tasksDequeued };
}

/** What was asked between two readings. */
export function callsBetween(before: ManagerCalls, after: ManagerCalls): ManagerCalls {
  const byRoute = Object.fromEntries(Object.entries(after.byRoute).map(([route, n]) => [route, n - (before.byRoute[route] ?? 0)]));
  return { byRoute, dequeuesWithTasks: after.dequeuesWithTasks - before.dequeuesWithTasks, tasksDequeued: after.tasksDequeued - before.tasksDequeued };
}
