// Turns a route of the contracts' table into an arbitrary HTTP request: valid input derived from its zod schemas,
// schema-breaking input, and transport-level abuse (malformed JSON, wrong content types, huge or deep bodies).
import { pathOf, type RouteDef } from '@jobnik/contracts';
import fc, { type Arbitrary } from 'fast-check';
import type { z } from 'zod';
import { invalid, valid, type DeriveOptions, type Override } from './zod-arbitrary.js';

/** A reference to a live resource, resolved just before sending: `@@ref:<kind>:<n>`. */
export type RefKind = 'job' | 'stage' | 'task' | 'leased' | 'lease' | 'schedule' | 'apiKey' | 'jobType' | 'stageType' | 'worker';
export const ref = (kind: RefKind) => fc.nat({ max: 1000 }).map((n) => `@@ref:${kind}:${n}`);

export interface FuzzRequest {
  route: string;
  method: string;
  /** Path params, query and body before resolution (what fast-check prints on failure). */
  params: Record<string, unknown>;
  query: Record<string, unknown> | string;
  body?: unknown;
  /** Raw body text instead of JSON.stringify(body). */
  bodyText?: string;
  contentType?: string | null;
  variant: string;
}

export interface FuzzLimits {
  maxJsonDepth: number;
  bodyLimitBytes: number;
  maxTasksPerRequest: number;
}

const ID_FIELDS: Record<string, RefKind> = {
  jobId: 'job',
  stageId: 'stage',
  taskId: 'task',
  leaseToken: 'lease',
  scheduleId: 'schedule',
  keyId: 'apiKey',
  workerId: 'worker',
  stageType: 'stageType',
};

const VALID_CRONS = ['*/5 * * * *', '0 3 * * *', '0 0 1 1 *', '*/10 * * * * *', '15 14 1 * MON-FRI', '@daily'];
const BAD_CRONS = ['not cron', '61 * * * *', '* * * * * * * *', '', '0 0 31 2 *', '*/0 * * * *'];
const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Mars/Olympus', 'UTC+25', ''];

/** Field overrides: live resources by id, loopback webhook URLs, sensible crons, short long-polls. */
export const override: Override = (path, schema) => {
  const key = path[path.length - 1];
  const parent = path[path.length - 3];
  const def = (schema as unknown as { _zod: { def: { type: string } } })._zod.def;
  if (key === undefined || def.type === 'optional' || def.type === 'default' || def.type === 'nullable') return undefined;
  if (key === 'type' && (parent === 'stages' || path.length === 1)) return fc.oneof({ weight: 3, arbitrary: ref('stageType') }, { weight: 1, arbitrary: valid(schema) });
  if (key === '*' && path[path.length - 2] === 'stageTypes') return fc.oneof({ weight: 3, arbitrary: ref('stageType') }, { weight: 1, arbitrary: valid(schema) });
  const kind = ID_FIELDS[key];
  if (kind) return fc.oneof({ weight: 4, arbitrary: ref(kind) }, { weight: 1, arbitrary: valid(schema) });
  if (key === 'url') return fc.constantFrom('http://127.0.0.1:9/hook', 'https://127.0.0.1:9/x?y=1');
  if (key === 'cron') return fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...VALID_CRONS) }, { weight: 1, arbitrary: fc.constantFrom(...BAD_CRONS) });
  if (key === 'timezone') return fc.constantFrom(...ZONES);
  if (key === 'waitMs') return fc.integer({ min: 0, max: 20 });
  if (key === 'leaseMs') return fc.integer({ min: 60_000, max: 3_600_000 });
  if (key === 'dataSchema')
    return fc.oneof(
      fc.constant({ type: 'object', properties: { n: { type: 'integer' } } }),
      fc.constant({ type: 'nope' }),
      fc.constant({ $ref: '#/definitions/missing' }),
      fc.constant({ pattern: '(' }),
      fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
    );
  return undefined;
};

/** Route params: mostly live ids of the right kind (so handlers go deep), sometimes random ones. */
function paramArb(route: RouteDef, name: string, schema: z.ZodType): Arbitrary<unknown> {
  const kind: RefKind | undefined = name === 'name' ? 'jobType' : ID_FIELDS[name];
  const derived = valid(schema);
  return kind ? fc.oneof({ weight: 4, arbitrary: ref(kind) }, { weight: 1, arbitrary: derived }) : derived;
}

function shapeOf(schema: z.ZodType | undefined): Record<string, z.ZodType> {
  if (!schema) return {};
  return ((schema as unknown as { _zod: { def: { shape?: Record<string, z.ZodType> } } })._zod.def.shape ?? {}) as Record<string, z.ZodType>;
}

function paramsArb(route: RouteDef): Arbitrary<Record<string, unknown>> {
  const shape = shapeOf(route.params);
  const model: Record<string, Arbitrary<unknown>> = {};
  for (const [k, s] of Object.entries(shape)) model[k] = paramArb(route, k, s);
  return fc.record(model);
}

function badParamsArb(route: RouteDef): Arbitrary<Record<string, unknown>> | null {
  const shape = shapeOf(route.params);
  const keys = Object.keys(shape);
  if (!keys.length) return null;
  return fc.tuple(paramsArb(route), fc.constantFrom(...keys)).chain(([good, k]) =>
    (invalid(shape[k]!, { asText: true }) ?? fc.constant('x')).map((bad) => ({ ...good, [k]: typeof bad === 'string' ? bad : JSON.stringify(bad) })),
  );
}

const GARBAGE_QUERIES = [
  'limit=abc',
  'limit=1&limit=2',
  'limit=-1',
  'limit=99999999999999999999',
  'cursor=' + 'A'.repeat(600),
  'cursor=eyJhIjoxfQ',
  'cursor=%00%01',
  '%',
  '%E0%A4%A',
  '&&&=&=',
  '__proto__[polluted]=1',
  'constructor.prototype.x=1',
  'status=',
  'status=PENDING,,FAILED',
  'sort=DROP TABLE jobs',
  'include=stages,tasks,everything',
  'tenantId=' + encodeURIComponent("x' OR '1'='1"),
  'createdAfter=2024-02-30T00:00:00Z',
  'unknown=1',
  'a[b][c]=d',
  '=',
  '?',
];

const MALFORMED_JSON = ['{', '{"name": "x",', '[1, 2', "{'name': 'x'}", 'nul', '{"a":1}}', '\u0000', '{"a": NaN}', '{"a": 1e99999}', '"\\ud800"', '{"a":"\\u0000"}', '\uFEFF{}'];
const WRONG_TYPES = ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/jsonx', 'image/png'];

function deepValue(depth: number, asArray: boolean): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = asArray ? [v] : { d: v };
  return v;
}

/** Every kind of request for one route. */
export function requestArb(name: string, route: RouteDef, limits: FuzzLimits): Arbitrary<FuzzRequest> {
  const o: DeriveOptions = { override, maxArray: 3 };
  const q: DeriveOptions = { override, asText: true };
  const params = paramsArb(route);
  const query: Arbitrary<Record<string, unknown>> = route.query ? (valid(route.query, q) as Arbitrary<Record<string, unknown>>) : fc.constant({});
  const body: Arbitrary<unknown> = route.body ? valid(route.body, o) : fc.constant(undefined);
  const base = (variant: string, p = params, qu: Arbitrary<Record<string, unknown> | string> = query, b = body) =>
    fc.record({ params: p, query: qu, body: b }).map((r) => ({ route: name, method: route.method, variant, ...r }) as FuzzRequest);

  const options: { weight: number; arbitrary: Arbitrary<FuzzRequest> }[] = [{ weight: 8, arbitrary: base('valid') }];
  const badParams = badParamsArb(route);
  if (badParams) options.push({ weight: 2, arbitrary: base('bad-params', badParams) });
  const badQuery = route.query ? invalid(route.query, q) : null;
  if (badQuery) options.push({ weight: 2, arbitrary: base('bad-query', params, badQuery as Arbitrary<Record<string, unknown>>) });
  options.push({ weight: 1, arbitrary: base('garbage-query', params, fc.constantFrom(...GARBAGE_QUERIES)) });

  if (route.body) {
    const badBody = invalid(route.body, o);
    if (badBody) options.push({ weight: 6, arbitrary: base('bad-body', params, query, badBody) });
    options.push(
      { weight: 1, arbitrary: base('malformed-json', params, query).chain((r) => fc.constantFrom(...MALFORMED_JSON).map((t) => ({ ...r, body: undefined, bodyText: t }))) },
      { weight: 1, arbitrary: base('truncated-json', params, query).chain((r) => fc.nat().map((n) => { const t = JSON.stringify(r.body ?? {}); return { ...r, body: undefined, bodyText: t.slice(0, n % Math.max(1, t.length)) }; })) },
      { weight: 1, arbitrary: base('wrong-content-type', params, query).chain((r) => fc.constantFrom(...WRONG_TYPES).map((ct) => ({ ...r, contentType: ct }))) },
      { weight: 1, arbitrary: base('no-content-type', params, query).map((r) => ({ ...r, contentType: null })) },
      { weight: 1, arbitrary: base('empty-body', params, query).chain((r) => fc.constantFrom('', ' ', '\n').map((t) => ({ ...r, body: undefined, bodyText: t }))) },
      {
        weight: 1,
        arbitrary: base('too-deep', params, query).chain((r) =>
          fc.tuple(fc.integer({ min: limits.maxJsonDepth + 1, max: limits.maxJsonDepth + 40 }), fc.boolean(), fc.constantFrom(1, 2000)).map(([d, asArray, factor]) => ({
            ...r,
            body: { ...(typeof r.body === 'object' && r.body !== null ? r.body : {}), data: deepValue(factor === 1 ? d : d * 50, asArray) },
          })),
        ),
      },
      {
        weight: 1,
        arbitrary: base('huge-body', params, query).chain((r) =>
          fc.constantFrom(limits.bodyLimitBytes + 10, 200_000).map((n) => ({ ...r, body: { ...(typeof r.body === 'object' && r.body !== null && !Array.isArray(r.body) ? r.body : {}), data: 'h'.repeat(n) } })),
        ),
      },
      { weight: 1, arbitrary: base('json-scalar', params, query).chain((r) => fc.jsonValue({ maxDepth: 2 }).map((v) => ({ ...r, body: v }))) },
    );
    if (['createJob', 'addStage', 'addTasks'].includes(name)) {
      const many = Array.from({ length: limits.maxTasksPerRequest + 1 }, () => ({}));
      const bodyOf = (): unknown =>
        name === 'createJob' ? { name: 'too-many', stages: [{ type: 'fz-a', tasks: many }] } : name === 'addStage' ? { type: 'fz-a', tasks: many } : { tasks: many };
      options.push({ weight: 1, arbitrary: base('too-many-tasks', params, query, fc.constant(bodyOf())) });
    }
  } else {
    options.push({ weight: 1, arbitrary: base('unexpected-body', params, query, fc.jsonValue({ maxDepth: 2 })) });
  }
  return fc.oneof(...options);
}

/** Live resources the refs point at (refreshed from the database while the fuzz runs). */
export interface Pools {
  job: string[];
  stage: string[];
  task: string[];
  leased: { id: string; token: string }[];
  schedule: string[];
  apiKey: string[];
  jobType: string[];
  stageType: string[];
  worker: string[];
}

const REF = /^@@ref:([A-Za-z]+):(\d+)$/;
const FALLBACK = '0190f0e0-0000-7000-8000-000000000000';

function pick(pools: Pools, kind: RefKind, n: number): string {
  if (kind === 'leased' || kind === 'lease') {
    const l = pools.leased[n % Math.max(1, pools.leased.length)];
    return l ? (kind === 'lease' ? l.token : l.id) : FALLBACK;
  }
  const list = pools[kind];
  return list[n % Math.max(1, list.length)] ?? (kind === 'stageType' || kind === 'worker' || kind === 'jobType' ? 'fz-a' : FALLBACK);
}

/** Replaces refs with live ids; an item holding a lease ref gets a matching task id half of the time. */
export function resolve(value: unknown, pools: Pools, depth = 0): unknown {
  if (depth > 64) return value; // refs never nest this deep; deliberately deep bodies stay as generated
  if (typeof value === 'string') {
    const m = REF.exec(value);
    return m ? pick(pools, m[1] as RefKind, Number(m[2])) : value;
  }
  if (Array.isArray(value)) return value.map((v) => resolve(v, pools, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) Object.defineProperty(out, k, { value: resolve(v, pools, depth + 1), enumerable: true, writable: true, configurable: true });
    const lease = typeof (value as { leaseToken?: unknown }).leaseToken === 'string' ? REF.exec((value as { leaseToken: string }).leaseToken) : null;
    if (lease && lease[1] === 'lease' && Number(lease[2]) % 2 === 0 && 'taskId' in out) out.taskId = pick(pools, 'leased', Number(lease[2]));
    return out;
  }
  return value;
}

export interface Wire {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** The HTTP request a FuzzRequest stands for, with its refs resolved. */
export function toWireFor(base: string, route: RouteDef, r: FuzzRequest, pools: Pools): Wire {
  const params = resolve(r.params, pools) as Record<string, unknown>;
  const path = pathOf(route.path, Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])));
  let qs = '';
  if (typeof r.query === 'string') qs = r.query;
  else if (r.query === null || typeof r.query !== 'object' || Array.isArray(r.query)) qs = `q=${encodeURIComponent(JSON.stringify(r.query))}`;
  else {
    const resolved = resolve(r.query, pools) as Record<string, unknown>;
    qs = new URLSearchParams(Object.entries(resolved).filter(([, v]) => v !== undefined).map(([k, v]): [string, string] => [k, typeof v === 'string' ? v : JSON.stringify(v)])).toString();
  }
  const headers: Record<string, string> = {};
  let body: string | undefined;
  if (r.bodyText !== undefined) body = r.bodyText;
  else if (r.body !== undefined) body = JSON.stringify(resolve(r.body, pools));
  if (route.method === 'GET') body = undefined; // fetch sends no body with GET
  if (body !== undefined && r.contentType !== null) headers['content-type'] = r.contentType ?? 'application/json';
  return { method: r.method, url: `${base}${path}${qs ? `?${qs}` : ''}`, headers, ...(body !== undefined ? { body } : {}) };
}
