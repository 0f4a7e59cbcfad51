// Derives fast-check arbitraries from the contracts' zod 4 schemas: values the schema accepts, and values that
// break one of its rules somewhere inside (wrong type, missing or unknown field, out of range, bad format).
import fc, { type Arbitrary } from 'fast-check';
import type { z } from 'zod';

// zod 4 keeps every schema's definition on `_zod.def`; the checks (min, max, regex, int…) on `def.checks`.
interface Def {
  type: string;
  [key: string]: any;
}
const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** A field-specific arbitrary by its path (object keys; array elements are '*'), or undefined for the derived one. */
export type Override = (path: readonly string[], schema: z.ZodType) => Arbitrary<unknown> | undefined;

export interface DeriveOptions {
  override?: Override;
  /** Query strings: every value travels as text. */
  asText?: boolean;
  /** Most elements of an array without a smaller max (keeps bodies small). */
  maxArray?: number;
  /** Depth of generated JSON values. */
  jsonDepth?: number;
}

interface Bounds {
  min?: number;
  max?: number;
  minExclusive: boolean;
  maxExclusive: boolean;
  int: boolean;
  minLength?: number;
  maxLength?: number;
  patterns: RegExp[];
  format?: string;
}

function boundsOf(def: Def): Bounds {
  const b: Bounds = { minExclusive: false, maxExclusive: false, int: false, patterns: [], format: def.format };
  for (const check of def.checks ?? []) {
    const c = (check as { _zod: { def: Record<string, any> } })._zod.def;
    switch (c.check) {
      case 'min_length':
        b.minLength = c.minimum;
        break;
      case 'max_length':
        b.maxLength = c.maximum;
        break;
      case 'length_equals':
        b.minLength = b.maxLength = c.length;
        break;
      case 'string_format':
        if (c.format === 'regex') b.patterns.push(c.pattern);
        else b.format = c.format;
        break;
      case 'greater_than':
        b.min = c.value;
        b.minExclusive = !c.inclusive;
        break;
      case 'less_than':
        b.max = c.value;
        b.maxExclusive = !c.inclusive;
        break;
      case 'number_format':
        if (c.format !== 'float32' && c.format !== 'float64') b.int = true;
        break;
      default:
        break;
    }
  }
  return b;
}

/** Whether an object field may be left out. */
export function isOptional(schema: z.ZodType): boolean {
  const t = defOf(schema).type;
  return t === 'optional' || t === 'default' || t === 'prefault';
}

const anyString = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 24 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 24 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) },
);

const isoDate = fc
  .date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2090-01-01T00:00:00Z'), noInvalidDate: true })
  .chain((d) =>
    fc.constantFrom(
      d.toISOString(),
      d.toISOString().replace('Z', '+02:00'),
      d.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    ),
  );

function validString(b: Bounds, o: DeriveOptions): Arbitrary<string> {
  const minLength = b.minLength ?? 0;
  const maxLength = b.maxLength ?? Math.max(minLength, 40);
  const fits = (s: string) => s.length >= minLength && s.length <= maxLength;
  if (b.format === 'uuid' || b.format === 'guid') return fc.uuid({ version: [4, 7] });
  if (b.format === 'datetime') return isoDate;
  if (b.format === 'url') return fc.constantFrom('http://127.0.0.1:9/hook', 'https://127.0.0.1:9/a?b=c');
  if (b.format === 'email') return fc.emailAddress();
  if (b.patterns.length) {
    // A pattern fixes its own length (a W3C traceparent is 55 characters): only an explicit max bounds it.
    const [first, ...rest] = b.patterns;
    const fitsPattern = (s: string) => s.length >= minLength && (b.maxLength === undefined || s.length <= b.maxLength);
    return fc
      .stringMatching(first!, { size: 'xsmall' })
      .filter((s) => fitsPattern(s) && rest.every((p) => p.test(s)));
  }
  void o;
  return fc.oneof(anyString, fc.string({ minLength, maxLength: Math.min(maxLength, minLength + 24) })).filter(fits);
}

function validNumber(b: Bounds): Arbitrary<number> {
  if (b.int) {
    const min = b.min === undefined ? -1_000_000 : Math.ceil(b.minExclusive ? b.min + 1 : b.min);
    const max = b.max === undefined ? 1_000_000 : Math.floor(b.maxExclusive ? b.max - 1 : b.max);
    return fc.oneof(fc.integer({ min, max }), fc.constantFrom(min, max));
  }
  const min = b.min ?? -1e9;
  const max = b.max ?? 1e9;
  return fc
    .oneof(fc.double({ min, max, noNaN: true, noDefaultInfinity: true }), fc.constantFrom(min, max))
    .filter((n) => (!b.minExclusive || n > min) && (!b.maxExclusive || n < max) && !Object.is(n, -0));
}

/** z.preprocess(fn, schema) is a pipe from a transform into `schema`: that schema, else null. */
function preprocessed(def: Def): z.ZodType | null {
  return def.type === 'pipe' && defOf(def.in).type === 'transform' ? (def.out as z.ZodType) : null;
}

/** The enum values of a `csvOf(...)`-style pipe: string → split → array(enum), or null. */
function csvEnum(def: Def): { values: string[]; min: number } | null {
  if (def.type !== 'pipe') return null;
  const inner = defOf(def.in);
  const out = defOf(def.out);
  if (inner.type !== 'pipe' || defOf(inner.out).type !== 'transform' || out.type !== 'array') return null;
  const el = defOf(out.element);
  if (el.type !== 'enum') return null;
  return { values: Object.values(el.entries as Record<string, string>), min: boundsOf(out).minLength ?? 0 };
}

function text(value: Arbitrary<unknown>, o: DeriveOptions): Arbitrary<unknown> {
  return o.asText ? value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))) : value;
}

/** Values the schema accepts. */
export function valid(schema: z.ZodType, o: DeriveOptions = {}, path: readonly string[] = []): Arbitrary<unknown> {
  const custom = o.override?.(path, schema);
  if (custom) return custom;
  const def = defOf(schema);
  const b = boundsOf(def);
  switch (def.type) {
    case 'string':
      return validString(b, o);
    case 'number':
    case 'int':
      return text(validNumber(b), o);
    case 'boolean':
      return text(fc.boolean(), o);
    case 'enum':
      return fc.constantFrom(...Object.values(def.entries as Record<string, string | number>));
    case 'literal':
      return fc.constantFrom(...(def.values as unknown[]));
    case 'null':
      return fc.constant(null);
    case 'array': {
      const minLength = b.minLength ?? 0;
      const maxLength = Math.max(minLength, Math.min(b.maxLength ?? Infinity, minLength + (o.maxArray ?? 4)));
      return fc.array(valid(def.element, o, [...path, '*']), { minLength, maxLength });
    }
    case 'object': {
      const shape = def.shape as Record<string, z.ZodType>;
      const keys = Object.keys(shape);
      const model: Record<string, Arbitrary<unknown>> = {};
      for (const k of keys) model[k] = valid(shape[k]!, o, [...path, k]);
      const requiredKeys = keys.filter((k) => !isOptional(shape[k]!));
      return fc.record(model, { requiredKeys }).filter((v) => passesRefinements(schema, v));
    }
    case 'record':
      return fc.dictionary(
        valid(def.keyType, o, [...path, '<key>']) as Arbitrary<string>,
        valid(def.valueType, o, [...path, '*']),
        { maxKeys: 4 },
      );
    case 'optional':
    case 'default':
    case 'prefault':
      return valid(def.innerType, o, path);
    case 'nullable':
      return fc.option(valid(def.innerType, o, path), { nil: null, freq: 4 });
    case 'union':
      return fc.oneof(...(def.options as z.ZodType[]).map((s) => valid(s, o, path)));
    case 'pipe': {
      const csv = csvEnum(def);
      if (csv) return fc.subarray(csv.values, { minLength: Math.max(1, csv.min) }).map((a) => a.join(','));
      // A preprocess (a transform, then the schema it feeds: a query number in digits) is drawn from what it feeds.
      return valid(preprocessed(def) ?? def.in, o, path);
    }
    case 'custom':
    case 'unknown':
    case 'any':
      return fc.jsonValue({ maxDepth: o.jsonDepth ?? 3 });
    default:
      throw new Error(`no arbitrary for zod type ${def.type} at ${path.join('.') || '(root)'}`);
  }
}

/** Object-level refinements (e.g. "give at least one field"): keep valid values valid. */
function passesRefinements(schema: z.ZodType, value: unknown): boolean {
  return (defOf(schema).checks ?? []).length === 0 || (schema as z.ZodType).safeParse(value).success;
}

const wrongTypes = (except: string) =>
  fc.constantFrom<unknown>(...([42, -1.5, true, 'text', null, [], {}, [1, 'a'], { nested: { x: 1 } }] as unknown[]).filter((v) => typeofJson(v) !== except));

function typeofJson(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function invalidString(b: Bounds, o: DeriveOptions): Arbitrary<unknown> {
  const bad: Arbitrary<unknown>[] = [];
  if (!o.asText) bad.push(wrongTypes('string'));
  if (b.minLength && b.minLength > 0) bad.push(fc.constant('x'.repeat(b.minLength - 1)));
  if (b.maxLength !== undefined) bad.push(fc.integer({ min: b.maxLength + 1, max: b.maxLength + 64 }).map((n) => 'y'.repeat(n)));
  bad.push(fc.integer({ min: 10_000, max: 120_000 }).map((n) => 'z'.repeat(n)));
  if (b.patterns.length) bad.push(fc.constantFrom('has space', '-leading', '.dot', 'ümlaut', 'slash/inside', '', '%00', 'semi;colon'));
  if (b.format === 'uuid' || b.format === 'guid')
    bad.push(fc.constantFrom('not-a-uuid', '0190f0e0-0000-7000-8000-00000000000', '0190f0e0-0000-7000-8000-00000000000g', "'; DROP TABLE jobs; --", '00000000-0000-0000-0000-000000000000x', ''));
  if (b.format === 'datetime') bad.push(fc.constantFrom('tomorrow', '2024-13-45T00:00:00Z', '2024-01-01', '2024-01-01T00:00:00', '+275760-09-13T00:00:00.000Z', '9999-12-31T23:59:60Z', ''));
  if (b.format === 'url') bad.push(fc.constantFrom('ftp://127.0.0.1/x', 'not a url', 'javascript:alert(1)', 'http://', ''));
  return fc.oneof(...bad);
}

function invalidNumber(b: Bounds, o: DeriveOptions): Arbitrary<unknown> {
  const bad: Arbitrary<unknown>[] = [o.asText ? fc.constantFrom('abc', '', '1e400', 'NaN', 'Infinity', '0x10', '1,2') : wrongTypes('number')];
  if (b.min !== undefined) bad.push(fc.double({ min: -1e15, max: b.min, noNaN: true }).filter((n) => n < b.min! || (b.minExclusive && n === b.min)));
  if (b.max !== undefined) bad.push(fc.double({ min: b.max, max: 1e300, noNaN: true }).filter((n) => n > b.max! || (b.maxExclusive && n === b.max)));
  if (b.int) bad.push(fc.constantFrom(0.5, 1.25, 2 ** 53 + 2, -(2 ** 60)));
  bad.push(fc.constantFrom(1e308, -1e308));
  return text(fc.oneof(...bad), o);
}

/** Values that break the schema in exactly one place (possibly deep inside), or null when every value is valid. */
export function invalid(schema: z.ZodType, o: DeriveOptions = {}, path: readonly string[] = []): Arbitrary<unknown> | null {
  const def = defOf(schema);
  const b = boundsOf(def);
  switch (def.type) {
    case 'string':
      return invalidString(b, o);
    case 'number':
    case 'int':
      return invalidNumber(b, o);
    case 'boolean':
      return o.asText ? fc.constantFrom('yes', '2', '') : wrongTypes('boolean');
    case 'enum':
      return fc.oneof(
        fc.constantFrom('NOT_A_VALUE', '', ' ', 'null'),
        fc.constantFrom(...Object.values(def.entries as Record<string, string>)).map((v) => `${String(v).toLowerCase()}_x`),
        o.asText ? fc.constant('%') : wrongTypes('string'),
      );
    case 'literal':
      return fc.constant('not-the-literal');
    case 'array': {
      const el = valid(def.element, o, [...path, '*']);
      const badEl = invalid(def.element, o, [...path, '*']);
      const options: Arbitrary<unknown>[] = [wrongTypes('array')];
      if (b.minLength && b.minLength > 0) options.push(fc.array(el, { maxLength: b.minLength - 1 }));
      if (b.maxLength !== undefined) options.push(fc.array(el, { minLength: b.maxLength + 1, maxLength: b.maxLength + 2 }));
      if (badEl)
        options.push(
          fc
            .tuple(fc.array(el, { maxLength: 2 }), badEl, fc.array(el, { maxLength: 2 }))
            .map(([before, bad, after]) => [...before, bad, ...after]),
        );
      return fc.oneof(...options);
    }
    case 'object': {
      const shape = def.shape as Record<string, z.ZodType>;
      const keys = Object.keys(shape);
      const base = valid(schema, o, path) as Arbitrary<Record<string, unknown>>;
      const options: Arbitrary<unknown>[] = [wrongTypes('object')];
      const required = keys.filter((k) => !isOptional(shape[k]!));
      if (required.length) options.push(fc.tuple(base, fc.constantFrom(...required)).map(([v, k]) => omit(v, k)));
      if (defOf(def.catchall ?? schema).type === 'never')
        options.push(fc.tuple(base, fc.constantFrom('colour', 'tenant_id', '__proto__', 'constructor', 'id', 'status'), fc.jsonValue({ maxDepth: 1 })).map(([v, k, x]) => withKey(v, k, x)));
      for (const k of keys) {
        const badField = invalid(shape[k]!, o, [...path, k]);
        if (badField) options.push(fc.tuple(base, badField).map(([v, bad]) => withKey(v, k, bad)));
      }
      if ((def.checks ?? []).length) options.push(fc.constant({}));
      return fc.oneof(...options);
    }
    case 'record':
      return fc.constantFrom<unknown>([1, 2], 'text', 42, null, true);
    case 'optional':
      return invalid(def.innerType, o, path);
    case 'default':
    case 'prefault':
    case 'nullable': {
      const inner = invalid(def.innerType, o, path);
      return inner && inner.filter((v) => v !== null && v !== undefined);
    }
    case 'pipe': {
      if (csvEnum(def)) return fc.constantFrom('NOPE', ',,,', 'PENDING,NOPE', ' ', 'x'.repeat(600), '%E0%A4%A');
      const fed = preprocessed(def);
      if (fed) return fc.oneof(invalid(fed, o, path) ?? fc.constant('x'), fc.constantFrom('0x10', '1e2', ' 5', '5.0', '-1'));
      return invalid(def.in, o, path);
    }
    case 'union':
    case 'custom':
    case 'unknown':
    case 'any':
      return null;
    default:
      return null;
  }
}

function omit(v: Record<string, unknown>, k: string): Record<string, unknown> {
  const copy = { ...v };
  delete copy[k];
  return copy;
}

function withKey(v: Record<string, unknown>, k: string, x: unknown): Record<string, unknown> {
  const copy = { ...v };
  // defineProperty so that '__proto__' becomes an own key and travels in the JSON text.
  Object.defineProperty(copy, k, { value: x, enumerable: true, writable: true, configurable: true });
  return copy;
}
