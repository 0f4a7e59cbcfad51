// Property-based requests against every route of the contracts' route table, on both stores:
// never a 5xx; every 4xx is problem+json with a known code and a matching status; a rejected request
// changes nothing in the database; a 2xx answer matches the route's response schema.
import { ERROR_CODES, PROBLEM_CONTENT_TYPE, routes, V1_ERROR_CODES, v1Routes, type RouteDef } from '@jobnik/contracts';
import { startTestManager, testStores, type TestManager } from '@jobnik/manager/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbState } from './db-state.js';
import { requestArb, toWireFor, type FuzzRequest, type Pools, type Wire } from './requests.js';

const SEED = Number(process.env.JOBNIK_FUZZ_SEED ?? 20_240_607);
const RUNS_PER_ROUTE = Number(process.env.JOBNIK_FUZZ_RUNS ?? 40);
const MIXED_RUNS = Number(process.env.JOBNIK_FUZZ_MIXED_RUNS ?? 300);
const LIMITS = { maxJsonDepth: 16, bodyLimitBytes: 1_000_000, maxTasksPerRequest: 50 };

/** The status each error code must come with. */
const CODE_STATUS: Record<(typeof ERROR_CODES)[number], number> = {
  VALIDATION_FAILED: 400,
  MALFORMED_JSON: 400,
  INVALID_UTF8: 400,
  NUMBER_OUT_OF_RANGE: 400,
  DUPLICATE_ITEM: 400,
  WEBHOOK_URL_BLOCKED: 400,
  MALFORMED_REQUEST: 400,
  HEADERS_TOO_LARGE: 431,
  UNSUPPORTED_MEDIA_TYPE: 415,
  PAYLOAD_TOO_LARGE: 413,
  TOO_MANY_TASKS: 413,
  ROUTE_NOT_FOUND: 404,
  JOB_NOT_FOUND: 404,
  STAGE_NOT_FOUND: 404,
  TASK_NOT_FOUND: 404,
  QUEUE_NOT_FOUND: 404,
  SCHEDULE_NOT_FOUND: 404,
  JOB_TYPE_NOT_FOUND: 404,
  API_KEY_NOT_FOUND: 404,
  QUEUE_GROUP_NOT_FOUND: 404,
  RATE_LIMIT_NOT_FOUND: 404,
  CONFIGURED_IN_FILE: 409,
  ILLEGAL_TRANSITION: 409,
  JOB_NOT_FINISHED: 409,
  LEASE_LOST: 409,
  TASK_NOT_RUNNING: 409,
  ALREADY_COMPLETED: 409,
  IDEMPOTENCY_CONFLICT: 409,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

/** fast-check's report, with huge generated strings cut so a failure stays readable. */
function reporter<T>(out: fc.RunDetails<T>): void {
  if (!out.failed) return;
  const cut = (t: string, n: number) => {
    const short = t.replace(/(.)\1{80,}/g, (run, ch: string) => `${ch.repeat(20)}…(${run.length}×)`);
    return short.length > n ? `${short.slice(0, n)}…` : short;
  };
  const show = (v: unknown) => {
    try {
      return fc.stringify(v);
    } catch {
      const [r] = v as [FuzzRequest];
      return `(too deep to print) ${r?.route} ${r?.variant} params=${JSON.stringify(r?.params)}`;
    }
  };
  const error = out.errorInstance instanceof Error ? out.errorInstance.message : String(out.errorInstance);
  throw new Error(
    `${cut(error, 2500)}\n  replay: JOBNIK_FUZZ_SEED-derived seed ${out.seed}, path "${out.counterexamplePath}" (fc.assert option { seed, path })\n  counterexample: ${cut(show(out.counterexample), 1500)}`,
  );
}

const routeEntries = Object.entries(routes) as [string, RouteDef][];
const v1RouteEntries = Object.entries(v1Routes) as [string, RouteDef][];

/** /v1 answers errors in MapColonies' shape { message, code }: their codes with their statuses, and ours that pass through. */
function v1StatusOf(code: string): number | undefined {
  if ((V1_ERROR_CODES as readonly string[]).includes(code)) {
    if (code.endsWith('_NOT_FOUND')) return 404;
    if (code === 'TASK_STATUS_UPDATE_FAILED') return 409;
    if (code === 'DATABASE_RELATED_ERROR') return 503;
    if (code === 'UNKNOWN_ERROR') return 500;
    return 400;
  }
  return CODE_STATUS[code as keyof typeof CODE_STATUS];
}

describe.each(testStores())('fuzz on %s', (store) => {
  let m: TestManager;
  const pools: Pools = { job: [], stage: [], task: [], leased: [], schedule: [], apiKey: [], jobType: [], stageType: [], worker: [] };
  const stats = { requests: 0, fiveXx: 0, rejected: 0, byStatus: {} as Record<string, number>, byRoute: {} as Record<string, number> };

  const refreshPools = async () => {
    const q = <T>(sql: string) => m.manager.db.query<T>(sql);
    pools.job = (await q<{ id: string }>('SELECT id::text FROM jobs ORDER BY id LIMIT 64')).map((r) => r.id);
    pools.stage = (await q<{ id: string }>('SELECT id::text FROM stages ORDER BY id LIMIT 64')).map((r) => r.id);
    pools.task = (await q<{ id: string }>('SELECT id::text FROM tasks ORDER BY id LIMIT 64')).map((r) => r.id);
    pools.leased = (await q<{ id: string; token: string }>("SELECT id::text, lease_token::text AS token FROM tasks WHERE status = 'IN_PROGRESS' AND lease_token IS NOT NULL ORDER BY id LIMIT 64"));
    pools.schedule = (await q<{ id: string }>('SELECT id::text FROM schedules ORDER BY id LIMIT 64')).map((r) => r.id);
    pools.apiKey = (await q<{ id: string }>('SELECT id::text FROM api_keys ORDER BY id LIMIT 64')).map((r) => r.id);
    pools.jobType = (await q<{ name: string }>('SELECT DISTINCT name FROM job_types ORDER BY name LIMIT 64')).map((r) => r.name);
    pools.stageType = (await q<{ name: string }>("SELECT DISTINCT name FROM queues WHERE name LIKE 'fz-%' ORDER BY name LIMIT 64")).map((r) => r.name);
    pools.worker = (await q<{ id: string }>('SELECT DISTINCT id FROM workers ORDER BY id LIMIT 64')).map((r) => r.id);
  };

  const send = async (w: Wire) => {
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(new Error('no answer within 20 s')), 20_000);
    try {
      const res = await fetch(w.url, { method: w.method, headers: w.headers, body: w.body, signal: ac.signal });
      const contentType = res.headers.get('content-type') ?? '';
      // An event stream (GET /events, /jobs/{id}/events) never ends: its answer is its status and head.
      if (res.ok && contentType.startsWith('text/event-stream')) {
        ac.abort();
        return { status: res.status, contentType, body: undefined, text: '', stream: true };
      }
      return { ...(await readAnswer(res, contentType)), stream: false };
    } finally {
      clearTimeout(timer);
    }
  };
  const readAnswer = async (res: Response, contentType: string) => {
    const text = await res.text();
    let body: any = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: checked below where it matters
    }
    return { status: res.status, contentType, body, text };
  };

  const seed = async () => {
    const post = async (path: string, body: unknown) => {
      const r = await send({ method: 'POST', url: m.url + path, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(r.status, `${path}: ${r.text}`).toBeLessThan(300);
      return r.body;
    };
    for (let i = 0; i < 4; i++) {
      await post('/jobs', {
        name: `fz-job-${i}`,
        data: { i },
        parallelStages: i === 3,
        ...(i === 1 ? { webhooks: [{ url: 'http://127.0.0.1:9/hook', events: ['job.completed'], secret: 'fuzz-secret-1' }] } : {}),
        stages: [
          { type: 'fz-a', tasks: [{ data: { t: 1 } }, { data: { t: 2 } }, { data: { t: 3 } }] },
          { type: 'fz-b', tasks: [{ data: { t: 4 } }, { data: { t: 5 } }] },
        ],
      });
    }
    await send({ method: 'PUT', url: `${m.url}/job-types/fz-type`, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ description: 'fuzz', defaults: { priority: 'HIGH' }, dataSchema: { type: 'object' } }) });
    await post('/schedules', { name: 'fz-schedule', cron: '0 3 * * *', jobTemplate: { name: 'fz-scheduled', stages: [{ type: 'fz-a', tasks: [{}] }] } });
    await post('/api-keys', { tenantId: 'fz-tenant', role: 'producer', name: 'fuzz key' });
    const leased = await post('/dequeue', { workerId: 'fz-worker', max: 4, stageTypes: ['fz-a'], leaseMs: 3_600_000 });
    expect(leased.tasks.length).toBeGreaterThan(0);
    await post('/workers/fz-worker/heartbeat', { stageTypes: ['fz-a'], tasks: [] });
    await refreshPools();
  };

  beforeAll(async () => {
    m = await startTestManager({
      store,
      config: {
        http: LIMITS,
        tasks: { leaseMs: 3_600_000, sweepIntervalMs: 3_600_000 },
        scheduler: { enabled: false },
        webhooks: { pollMs: 3_600_000 },
        retention: { intervalMs: 3_600_000 },
      },
    });
    await seed();
  });
  afterAll(async () => {
    console.log(JSON.stringify({ suite: 'fuzz', store, seed: SEED, requests: stats.requests, '5xx': stats.fiveXx, rejected: stats.rejected, byStatus: stats.byStatus}));
    await m?.close();
  });

  /** One request and every property it must satisfy. */
  const check = async (routeName: string, route: RouteDef, r: FuzzRequest) => {
    if (stats.requests % 10 === 0) await refreshPools();
    const wire = toWireFor(m.url, route, r, pools);
    const before = await dbState(m);
    const res = await send(wire);
    stats.requests++;
    stats.byStatus[res.status] = (stats.byStatus[res.status] ?? 0) + 1;
    stats.byRoute[routeName] = (stats.byRoute[routeName] ?? 0) + 1;
    const where = `${wire.method} ${wire.url.replace(m.url, '').slice(0, 400)} [${r.variant}] body=${(wire.body ?? '').slice(0, 300)} → ${res.status} ${res.text.slice(0, 500)}`;
    if (res.status >= 500) {
      stats.fiveXx++;
      throw new Error(`5xx: ${where}`);
    }
    if (res.status >= 400) {
      stats.rejected++;
      // A request head over 16 KiB is refused by Node's HTTP parser before any route is known: problem+json everywhere.
      if (routeName.startsWith('v1') && res.status !== 431) {
        // Their error body: { message, code } as JSON, a code of theirs (or one of ours they pass through) with its status.
        if (!res.contentType.startsWith('application/json')) throw new Error(`/v1 4xx not JSON (${res.contentType}): ${where}`);
        const code = res.body?.code;
        if (typeof res.body?.message !== 'string' || typeof code !== 'string') throw new Error(`/v1 4xx without { message, code }: ${where}`);
        const expected = v1StatusOf(code);
        if (expected === undefined) throw new Error(`unknown /v1 error code: ${where}`);
        if (expected !== res.status) throw new Error(`/v1 code ${code} comes with ${res.status}, expected ${expected}: ${where}`);
      } else {
        if (!res.contentType.startsWith(PROBLEM_CONTENT_TYPE)) throw new Error(`4xx without problem+json (${res.contentType}): ${where}`);
        const code = res.body?.code;
        if (!(ERROR_CODES as readonly string[]).includes(code)) throw new Error(`unknown error code: ${where}`);
        if (res.body.status !== res.status) throw new Error(`problem status ${res.body.status} differs from HTTP status: ${where}`);
        if (CODE_STATUS[code as keyof typeof CODE_STATUS] !== res.status) throw new Error(`code ${code} comes with ${res.status}, expected ${CODE_STATUS[code as keyof typeof CODE_STATUS]}: ${where}`);
      }
      const after = await dbState(m);
      if (JSON.stringify(after) !== JSON.stringify(before)) throw new Error(`a rejected request changed the database: ${JSON.stringify(before)} → ${JSON.stringify(after)}: ${where}`);
      return;
    }
    if (!(res.status in route.responses)) throw new Error(`status ${res.status} is not one of the route's responses ${Object.keys(route.responses)}: ${where}`);
    if (res.stream) return; // an event stream's events are checked by the manager's own SSE tests
    const schema = route.responses[res.status];
    if (schema === null) {
      if (res.text !== '') throw new Error(`expected no body: ${where}`);
    } else if (schema) {
      const parsed = schema.safeParse(res.body);
      if (!parsed.success) throw new Error(`2xx body does not match the response schema: ${parsed.error.message.slice(0, 800)}: ${where}`);
    }
  };

  it.each(routeEntries.map(([name, route], i) => ({ name, route, i })))('$name: $route.method $route.path', async ({ name, route, i }) => {
    await fc.assert(
      fc.asyncProperty(requestArb(name, route, LIMITS), (r) => check(name, route, r)),
      { seed: SEED + i, numRuns: RUNS_PER_ROUTE, endOnFailure: true, reporter },
    );
  });

  // MapColonies' /v1 routes (issue 18) get the same properties, with their error shape.
  it.each(v1RouteEntries.map(([name, route], i) => ({ name, route, i })))('$name: $route.method $route.path', async ({ name, route, i }) => {
    await fc.assert(
      fc.asyncProperty(requestArb(name, route, LIMITS), (r) => check(name, route, r)),
      { seed: SEED + 1_000 + i, numRuns: RUNS_PER_ROUTE, endOnFailure: true, reporter },
    );
  });

  it('every route, interleaved', async () => {
    const arb = fc.oneof(...routeEntries.map(([name, route]) => requestArb(name, route, LIMITS)));
    await fc.assert(
      fc.asyncProperty(arb, (r) => check(r.route, routes[r.route as keyof typeof routes], r)),
      { seed: SEED - 1, numRuns: MIXED_RUNS, endOnFailure: true, reporter },
    );
    expect(Object.keys(stats.byRoute).filter((n) => !n.startsWith('v1')).sort()).toEqual(routeEntries.map(([n]) => n).sort());
  });
});
