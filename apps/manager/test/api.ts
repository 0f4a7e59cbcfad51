// A tiny HTTP client for tests: real requests to a real manager.
import { startTestManager, type StoreKind, type TestManager } from '../src/testing.js';

export interface Res<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export function api(base: string) {
  const call = async <T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Res<T>> => {
    const init: RequestInit = { method, headers: { ...headers } };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
    }
    const r = await fetch(base + path, init);
    const text = await r.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON
    }
    return { status: r.status, body: parsed as T, headers: r.headers };
  };
  return {
    get: <T = any>(p: string) => call<T>('GET', p),
    post: <T = any>(p: string, b?: unknown, h?: Record<string, string>) => call<T>('POST', p, b, h),
    patch: <T = any>(p: string, b?: unknown) => call<T>('PATCH', p, b),
    del: <T = any>(p: string) => call<T>('DELETE', p),
    raw: call,
  };
}

export type Api = ReturnType<typeof api>;

/** A manager on `store` (with `config`) and a client of its API; a suite's setup: `beforeAll(async () => ({ m, a } = await managerWithApi(store)))`. */
export async function managerWithApi(store: StoreKind, config?: Parameters<typeof startTestManager>[0]['config']): Promise<{ m: TestManager; a: Api }> {
  const m = await startTestManager({ store, ...(config ? { config } : {}) });
  return { m, a: api(m.url) };
}

/** Polls until the predicate holds or the deadline passes (then fails with the last value). */
export async function waitFor<T>(fn: () => Promise<T>, ok: (v: T) => boolean, { timeoutMs = 10_000, everyMs = 20 } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await fn();
  while (!ok(last)) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(last)?.slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, everyMs));
    last = await fn();
  }
  return last;
}

export function tasksOf(n: number, make: (i: number) => Record<string, unknown> = (i) => ({ data: { i } })) {
  return Array.from({ length: n }, (_, i) => make(i));
}

/** Dequeues and completes until the queue is empty; returns the number completed. */
export async function drain(a: Api, stageTypes: string[], workerId = 'drainer'): Promise<number> {
  let n = 0;
  for (;;) {
    const d = await a.post('/dequeue', { workerId, max: 500, stageTypes });
    if (d.body.tasks.length === 0) return n;
    const c = await a.post('/tasks/complete', { items: d.body.tasks.map((t: any) => ({ taskId: t.id, leaseToken: t.leaseToken, result: { by: workerId } })) });
    n += c.body.items.filter((i: any) => i.ok).length;
  }
}
