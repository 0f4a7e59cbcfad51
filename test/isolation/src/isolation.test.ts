// Tenant isolation and role checks for every route of the contracts' route tables (ours and /v1), in apiKey mode, on both stores.
// Tenant B's keys call every route on tenant A's resources: no A data comes back, the answer is the one a
// nonexistent id gets, and A's state (read through the admin key) is unchanged. No key → 401; wrong role → 403.
import { API_KEY_HEADER, ERROR_CODES, routes, pathOf, V1_ERROR_CODES, v1Routes, type RouteDef, type RouteName, type V1RouteName } from '@jobnik/contracts';
import { startTestManager, testStores, type TestManager } from '@jobnik/manager/testing';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ADMIN = 'isolation-admin-key-0123456789';
const MARKER = 'A-SECRET-MARKER-7f3c';
const A_TENANT = 'tenant-a-iso';
const B_TENANT = 'tenant-b-iso';
const A_TYPE = 'iso-a-render-7f3c';
const A_TYPE2 = 'iso-a-pack-7f3c';
const A_JOB_NAME = 'iso-a-job-7f3c';
const A_WORKER = 'iso-a-worker-7f3c';
const A_JOB_TYPE = 'iso-a-type-7f3c';

/** Tenant A's resources, as the calls below name them. */
interface AIds {
  jobId: string;
  stageId: string;
  taskId: string;
  leaseToken: string;
  scheduleId: string;
  keyId: string;
  jobType: string;
  stageType: string;
  workerId: string;
}

interface Call {
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
}

/**
 * How to call each route on tenant A's resources. Typed by RouteName, so a new route in the contracts fails the
 * typecheck until it is described here (and the test below fails at run time too).
 */
const CALLS: Record<RouteName, (a: AIds) => Call> = {
  createJob: () => ({ body: { name: A_JOB_NAME, tenantId: A_TENANT, stages: [{ type: A_TYPE, tasks: [{}] }] } }),
  listJobs: () => ({ query: { name: A_JOB_NAME } }),
  getJob: (a) => ({ params: { jobId: a.jobId }, query: { include: 'stages,tasks' } }),
  updateJob: (a) => ({ params: { jobId: a.jobId }, body: { userMetadata: { hacked: true }, priority: 'VERY_HIGH' } }),
  deleteJob: (a) => ({ params: { jobId: a.jobId } }),
  cancelJob: (a) => ({ params: { jobId: a.jobId } }),
  suspendJob: (a) => ({ params: { jobId: a.jobId } }),
  resumeJob: (a) => ({ params: { jobId: a.jobId } }),
  retryJob: (a) => ({ params: { jobId: a.jobId } }),
  listStages: (a) => ({ params: { jobId: a.jobId } }),
  addStage: (a) => ({ params: { jobId: a.jobId }, body: { type: A_TYPE, tasks: [{ data: 'injected' }] } }),
  getStage: (a) => ({ params: { stageId: a.stageId } }),
  getStageSummary: (a) => ({ params: { stageId: a.stageId } }),
  addTasks: (a) => ({ params: { stageId: a.stageId }, body: { tasks: [{ data: 'injected' }] } }),
  listStageTasks: (a) => ({ params: { stageId: a.stageId } }),
  cancelStage: (a) => ({ params: { stageId: a.stageId } }),
  suspendStage: (a) => ({ params: { stageId: a.stageId } }),
  resumeStage: (a) => ({ params: { stageId: a.stageId } }),
  releaseStage: (a) => ({ params: { stageId: a.stageId } }),
  listTasks: (a) => ({ query: { jobId: a.jobId } }),
  getTask: (a) => ({ params: { taskId: a.taskId } }),
  cancelTask: (a) => ({ params: { taskId: a.taskId } }),
  completeTasks: (a) => ({ body: { items: [{ taskId: a.taskId, leaseToken: a.leaseToken, result: 'forged' }] } }),
  failTasks: (a) => ({ body: { items: [{ taskId: a.taskId, leaseToken: a.leaseToken, error: { message: 'forged', retryable: false } }] } }),
  releaseTasks: (a) => ({ body: { items: [{ taskId: a.taskId, leaseToken: a.leaseToken }] } }),
  listQueues: () => ({}),
  updateQueue: (a) => ({ params: { stageType: a.stageType }, body: { paused: true } }),
  dequeue: (a) => ({ params: { stageType: a.stageType }, body: { workerId: 'b-worker', max: 10 } }),
  dequeueMany: (a) => ({ body: { workerId: 'b-worker', max: 10, stageTypes: [a.stageType, A_TYPE2] } }),
  heartbeat: (a) => ({ params: { workerId: a.workerId }, body: { leaseMs: 3_600_000, tasks: [{ taskId: a.taskId, leaseToken: a.leaseToken, progress: 0.9, checkpoint: 'forged' }] } }),
  workerDirectives: (a) => ({ params: { workerId: a.workerId }, body: { tasks: [{ taskId: a.taskId, leaseToken: a.leaseToken }], waitMs: 0 } }),
  getStats: () => ({}),
  listWorkers: () => ({}),
  listJobEvents: (a) => ({ params: { jobId: a.jobId } }),
  getJobHistory: (a) => ({ params: { jobId: a.jobId } }),
  streamJobEvents: (a) => ({ params: { jobId: a.jobId }, query: { lastEventId: '0' } }),
  // Replays from the start everything the caller may see: none of it may be A's.
  streamEvents: () => ({ query: { lastEventId: '0' } }),
  createSchedule: () => ({ body: { name: 'b-schedule', tenantId: A_TENANT, cron: '0 3 * * *', jobTemplate: { name: A_JOB_NAME } } }),
  listSchedules: () => ({}),
  getSchedule: (a) => ({ params: { scheduleId: a.scheduleId } }),
  updateSchedule: (a) => ({ params: { scheduleId: a.scheduleId }, body: { enabled: false, cron: '*/5 * * * *' } }),
  deleteSchedule: (a) => ({ params: { scheduleId: a.scheduleId } }),
  putJobType: (a) => ({ params: { name: a.jobType }, body: { description: 'b overwrites', defaults: { priority: 'VERY_LOW' } } }),
  listJobTypes: () => ({}),
  getJobType: (a) => ({ params: { name: a.jobType } }),
  createApiKey: () => ({ body: { tenantId: A_TENANT, role: 'admin', name: 'escalate' } }),
  listApiKeys: () => ({}),
  revokeApiKey: (a) => ({ params: { keyId: a.keyId } }),
  listQueueGroups: () => ({}),
  putQueueGroup: (a) => ({ params: { name: 'iso-group' }, body: { maxInFlight: 1, stageTypes: [a.stageType] } }),
  deleteQueueGroup: () => ({ params: { name: 'iso-group' } }),
  listRateLimits: () => ({}),
  putRateLimit: (a) => ({ params: { stageType: a.stageType }, query: { tenantId: A_TENANT }, body: { limit: 1 } }),
  deleteRateLimit: (a) => ({ params: { stageType: a.stageType }, query: { tenantId: A_TENANT } }),
};

/** The /v1 (MapColonies-compatible) routes, on the same resources of A. */
const V1_CALLS: Record<V1RouteName, (a: AIds) => Call> = {
  v1ListJobs: () => ({ query: { job_name: A_JOB_NAME, should_return_stages: 'true' } }),
  v1CreateJob: () => ({ body: { name: 'b-v1-job', data: { by: 'b' } } }),
  v1GetJob: (a) => ({ params: { jobId: a.jobId }, query: { should_return_stages: 'true' } }),
  v1DeleteJob: (a) => ({ params: { jobId: a.jobId } }),
  v1UpdateJobMetadata: (a) => ({ params: { jobId: a.jobId }, body: { hacked: true } }),
  v1UpdateJobPriority: (a) => ({ params: { jobId: a.jobId }, body: { priority: 'VERY_HIGH' } }),
  v1UpdateJobStatus: (a) => ({ params: { jobId: a.jobId }, body: { status: 'ABORTED' } }),
  v1ListJobStages: (a) => ({ params: { jobId: a.jobId }, query: { should_return_tasks: 'true' } }),
  v1AddStage: (a) => ({ params: { jobId: a.jobId }, body: { type: A_TYPE, data: {} } }),
  v1ListStages: (a) => ({ query: { job_id: a.jobId, should_return_tasks: 'true' } }),
  v1GetStage: (a) => ({ params: { stageId: a.stageId }, query: { should_return_tasks: 'true' } }),
  v1GetStageSummary: (a) => ({ params: { stageId: a.stageId } }),
  v1UpdateStageMetadata: (a) => ({ params: { stageId: a.stageId }, body: { hacked: true } }),
  v1UpdateStageStatus: (a) => ({ params: { stageId: a.stageId }, body: { status: 'PENDING' } }),
  v1ListStageTasks: (a) => ({ params: { stageId: a.stageId } }),
  v1AddTasks: (a) => ({ params: { stageId: a.stageId }, body: [{ data: { injected: true } }] }),
  v1Dequeue: (a) => ({ params: { stageType: a.stageType } }),
  v1ListTasks: (a) => ({ query: { stage_id: a.stageId } }),
  v1GetTask: (a) => ({ params: { taskId: a.taskId } }),
  v1UpdateTaskMetadata: (a) => ({ params: { taskId: a.taskId }, body: { hacked: true } }),
  v1UpdateTaskStatus: (a) => ({ params: { taskId: a.taskId }, body: { status: 'COMPLETED' } }),
};

const ALL_ROUTES = { ...routes, ...v1Routes } as Record<RouteName | V1RouteName, RouteDef>;
const ALL_CALLS: Record<RouteName | V1RouteName, (a: AIds) => Call> = { ...CALLS, ...V1_CALLS };
const ALL_ERROR_CODES: readonly string[] = [...ERROR_CODES, ...V1_ERROR_CODES];

/** The same call with every id of A replaced by a fresh one: what "does not exist" looks like to B. */
function nonexistent(a: AIds): AIds {
  return { ...a, jobId: randomUUID(), stageId: randomUUID(), taskId: randomUUID(), leaseToken: randomUUID(), scheduleId: randomUUID(), keyId: randomUUID(), jobType: 'iso-none-type', stageType: 'iso-none-stage', workerId: 'iso-none-worker' };
}

/** Every object in an answer that names a tenant must name the caller's. */
function foreignTenants(value: unknown, own: string, found: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) foreignTenants(v, own, found);
  else if (value && typeof value === 'object') {
    const t = (value as { tenantId?: unknown }).tenantId;
    if (typeof t === 'string' && t !== own) found.push(t);
    for (const v of Object.values(value)) foreignTenants(v, own, found);
  }
  return found;
}

async function firstSecondOf(r: Response, ac: AbortController): Promise<string> {
  const timer = setTimeout(() => ac.abort(), 1000);
  let text = '';
  const decoder = new TextDecoder();
  try {
    for await (const chunk of r.body as unknown as AsyncIterable<Uint8Array>) text += decoder.decode(chunk, { stream: true });
  } catch {
    // aborted after a second
  } finally {
    clearTimeout(timer);
  }
  return text;
}

const routeEntries = Object.entries(ALL_ROUTES) as [RouteName | V1RouteName, RouteDef][];

interface Res {
  status: number;
  text: string;
  body: any;
}

describe.each(testStores())('tenant isolation on %s', (store) => {
  let m: TestManager;
  const keys: Record<'producerA' | 'workerA' | 'producerB' | 'workerB', { key: string; id: string }> = {} as never;
  let a: AIds;
  /** Strings that must never reach tenant B (unless B sent them itself). */
  let secrets: string[];
  /** Everything B has sent so far. */
  const bSent: string[] = [];
  const NAMES = [A_TENANT, A_JOB_NAME, A_TYPE, A_TYPE2, A_WORKER, A_JOB_TYPE];

  const call = async (key: string | null, route: RouteDef, c: Call): Promise<Res> => {
    const qs = c.query ? `?${new URLSearchParams(c.query)}` : '';
    const headers: Record<string, string> = key ? { [API_KEY_HEADER]: key } : {};
    if (c.body !== undefined) headers['content-type'] = 'application/json';
    const ac = new AbortController();
    const r = await fetch(m.url + pathOf(route.path, c.params) + qs, { method: route.method, headers, body: c.body === undefined ? undefined : JSON.stringify(c.body), signal: ac.signal });
    // An event stream never ends: what it sends in its first second (the replay from lastEventId=0) is its answer.
    const text = r.headers.get('content-type')?.startsWith('text/event-stream') ? await firstSecondOf(r, ac) : await r.text();
    let body: any;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    return { status: r.status, text, body };
  };
  const admin = (route: RouteDef, c: Call) => call(ADMIN, route, c);

  /** Tenant A's state as the admin sees it. */
  const snapshotA = async () => {
    const job = await admin(routes.getJob, { params: { jobId: a.jobId }, query: { include: 'stages,tasks' } });
    const schedule = await admin(routes.getSchedule, { params: { scheduleId: a.scheduleId } });
    const types = await admin(routes.listJobTypes, {});
    const queues = await admin(routes.listQueues, { query: { tenantId: A_TENANT } });
    const apiKeys = await admin(routes.listApiKeys, {});
    const jobs = await admin(routes.listJobs, { query: { tenantId: A_TENANT, limit: '1000' } });
    return JSON.stringify({
      job: [job.status, job.body],
      schedule: [schedule.status, schedule.body],
      types: types.body.items.filter((t: any) => t.tenantId === A_TENANT),
      queues: queues.body.items.map((q: any) => ({ ...q, oldestReadyAt: null })),
      keys: apiKeys.body.items.filter((k: any) => k.tenantId === A_TENANT).map((k: any) => ({ id: k.id, role: k.role, revokedAt: k.revokedAt })),
      jobIds: jobs.body.items.map((j: any) => j.id).sort(),
    });
  };

  beforeAll(async () => {
    m = await startTestManager({
      store,
      config: {
        auth: { mode: 'apiKey', adminKey: ADMIN, rateLimitPerMinute: 0 },
        tasks: { leaseMs: 3_600_000, sweepIntervalMs: 3_600_000 },
        scheduler: { enabled: false },
        webhooks: { pollMs: 3_600_000 },
      },
    });
    for (const [name, body] of Object.entries({
      producerA: { tenantId: A_TENANT, role: 'producer', name: 'A producer' },
      workerA: { tenantId: A_TENANT, role: 'worker', name: 'A worker' },
      producerB: { tenantId: B_TENANT, role: 'producer', name: 'B producer' },
      workerB: { tenantId: B_TENANT, role: 'worker', name: 'B worker' },
    })) {
      const r = await admin(routes.createApiKey, { body });
      expect(r.status, r.text).toBe(201);
      keys[name as keyof typeof keys] = { key: r.body.key, id: r.body.id };
    }
    const pa = keys.producerA.key;
    const job = await call(pa, routes.createJob, {
      body: {
        name: A_JOB_NAME,
        data: { marker: MARKER },
        userMetadata: { marker: MARKER },
        webhooks: [{ url: 'http://127.0.0.1:9/a-hook', secret: `${MARKER}-webhook-secret` }],
        stages: [
          { type: A_TYPE, data: { marker: MARKER }, tasks: [{ data: { marker: MARKER, n: 1 } }, { data: { marker: MARKER, n: 2 } }, { data: { marker: MARKER, n: 3 } }] },
          { type: A_TYPE2, tasks: [{ data: { marker: MARKER, n: 4 } }, { data: { marker: MARKER, n: 5 } }] },
        ],
      },
    });
    expect(job.status, job.text).toBe(201);
    const schedule = await call(pa, routes.createSchedule, { body: { name: `${MARKER}-schedule`, cron: '0 3 * * *', jobTemplate: { name: A_JOB_NAME, data: { marker: MARKER } } } });
    expect(schedule.status, schedule.text).toBe(201);
    const type = await call(pa, routes.putJobType, { params: { name: A_JOB_TYPE }, body: { description: `${MARKER}-type`, defaults: { priority: 'HIGH' } } });
    expect(type.status, type.text).toBe(200);
    const leased = await call(keys.workerA.key, routes.dequeueMany, { body: { workerId: A_WORKER, max: 1, stageTypes: [A_TYPE], leaseMs: 3_600_000 } });
    expect(leased.body.tasks, leased.text).toHaveLength(1);
    const hb = await call(keys.workerA.key, routes.heartbeat, { params: { workerId: A_WORKER }, body: { stageTypes: [A_TYPE], tasks: [] } });
    expect(hb.status, hb.text).toBe(200);
    const leasedTask = leased.body.tasks[0];
    a = {
      jobId: job.body.id,
      stageId: job.body.stages[0].id,
      taskId: leasedTask.id,
      leaseToken: leasedTask.leaseToken,
      scheduleId: schedule.body.id,
      keyId: keys.producerA.id,
      jobType: A_JOB_TYPE,
      stageType: A_TYPE,
      workerId: A_WORKER,
    };
    const full = await admin(routes.getJob, { params: { jobId: a.jobId }, query: { include: 'stages,tasks' } });
    secrets = [
      MARKER,
      A_TENANT,
      A_JOB_NAME,
      A_TYPE,
      A_TYPE2,
      A_WORKER,
      A_JOB_TYPE,
      a.jobId,
      a.scheduleId,
      a.leaseToken,
      keys.producerA.key,
      keys.workerA.key,
      keys.producerA.id,
      keys.workerA.id,
      ...full.body.stages.map((s: any) => s.id),
      ...full.body.stages.flatMap((s: any) => s.tasks.map((t: any) => t.id)),
    ];
  });
  afterAll(() => m?.close());

  it('the call table covers every route of the contracts', () => {
    expect(Object.keys(ALL_CALLS).sort()).toEqual(Object.keys(ALL_ROUTES).sort());
  });

  const bKeys = ['producerB', 'workerB'] as const;
  it.each(routeEntries.flatMap(([name]) => bKeys.map((who) => ({ name, who }))))("$who on A's resources: $name", async ({ name, who }) => {
    const route = ALL_ROUTES[name];
    const bRole = who === 'producerB' ? 'producer' : 'worker';
    const before = await snapshotA();
    const sent = ALL_CALLS[name](a);
    const res = await call(keys[who].key, route, sent);
    const after = await snapshotA();
    const request = JSON.stringify(sent);
    bSent.push(request);

    // No A data: no object of another tenant, and nothing secret of A's in the answer, except what B itself sent
    // (B may name its own workers, job types and stage types like A's; ids it can only echo from this request).
    expect(foreignTenants(res.body, B_TENANT), `${name}: ${res.text.slice(0, 300)}`).toEqual([]);
    for (const s of secrets) {
      const bNamedIt = NAMES.includes(s) ? bSent.some((r) => r.includes(s)) : request.includes(s);
      if (!bNamedIt) expect(res.text, `${name} answered with A's ${s}`).not.toContain(s);
    }
    expect(res.status, res.text).toBeLessThan(500);
    if (res.status >= 400) expect(ALL_ERROR_CODES, res.text).toContain(res.body?.code);

    if (!route.roles.includes(bRole)) expect([res.status, res.body?.code], res.text).toEqual([403, 'FORBIDDEN']);
    else {
      // A's ids are indistinguishable from ids that do not exist.
      const control = await call(keys[who].key, route, ALL_CALLS[name](nonexistent(a)));
      expect([res.status, res.body?.code, outcomeCodes(res.body)], `${name}: A's ids → ${res.text.slice(0, 300)}; fresh ids → ${control.text.slice(0, 300)}`).toEqual([
        control.status,
        control.body?.code,
        outcomeCodes(control.body),
      ]);
    }
    // A unchanged (B's own creations in its own tenant are allowed and not part of A's snapshot).
    expect(after, `${name} by ${who} changed tenant A`).toEqual(before);
  });

  it('no key → 401 on every API route', async () => {
    for (const [name, route] of routeEntries) {
      const res = await call(null, route, ALL_CALLS[name](a));
      expect([res.status, res.body?.code], `${name}: ${res.text}`).toEqual([401, 'UNAUTHORIZED']);
      const bad = await call('jbk_00000000_not-a-real-secret', route, ALL_CALLS[name](a));
      expect([bad.status, bad.body?.code], `${name} (unknown key): ${bad.text}`).toEqual([401, 'UNAUTHORIZED']);
    }
  });

  it("a key of the wrong role → 403 on every route that role may not call, even on its own tenant's resources", async () => {
    const before = await snapshotA();
    let checked = 0;
    for (const [name, route] of routeEntries) {
      for (const [role, key] of [['producer', keys.producerA.key], ['worker', keys.workerA.key]] as const) {
        if (route.roles.includes(role)) continue;
        const res = await call(key, route, ALL_CALLS[name](a));
        expect([res.status, res.body?.code], `${role} → ${name}: ${res.text}`).toEqual([403, 'FORBIDDEN']);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(10);
    expect(await snapshotA()).toEqual(before);
  });
});

/** Per-item outcome codes of a batch answer (acks, heartbeat directives), ids left out. */
function outcomeCodes(body: any): unknown {
  if (body && Array.isArray(body.items)) return body.items.map((i: any) => [i.ok, i.code, i.status]);
  if (body && Array.isArray(body.tasks)) return body.tasks.map((t: any) => [t.directive]);
  return null;
}
