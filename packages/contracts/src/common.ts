// Building blocks reused by the entity and request schemas.
import { z } from 'zod';

export const Uuid = z.uuid();
/** The instants a timestamp may name (UTC): years 1000 to 9999, which every store reads back and writes out as sent. */
export const TIMESTAMP_RANGE = { min: '1000-01-01T00:00:00.000Z', max: '9999-12-31T23:59:59.999Z' } as const;
const [TIMESTAMP_MIN_MS, TIMESTAMP_MAX_MS] = [Date.parse(TIMESTAMP_RANGE.min), Date.parse(TIMESTAMP_RANGE.max)];
export const Timestamp = z.iso
  .datetime({ offset: true })
  .refine(
    (s) => {
      const ms = Date.parse(s);
      return ms >= TIMESTAMP_MIN_MS && ms <= TIMESTAMP_MAX_MS;
    },
    { message: `must lie from ${TIMESTAMP_RANGE.min} to ${TIMESTAMP_RANGE.max}` },
  )
  .describe('RFC 3339 timestamp');

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
/**
 * Any JSON value. Bodies arrive through JSON.parse, so every value is JSON already; depth and
 * size limits are enforced by the manager at the edge, not by walking payloads here.
 */
export const JsonValue = z.custom<JsonValue>((v) => v !== undefined).meta({ id: 'JsonValue', description: 'Any JSON value.' });
export const JsonObject = z.record(z.string(), JsonValue).meta({ id: 'JsonObject', description: 'A JSON object.' });
export type JsonObject = z.infer<typeof JsonObject>;

/** Names that travel in URL paths and metrics labels: job names, stage types, tenants, worker ids. */
export const Name = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'letters, digits and . _ : - only, starting with a letter or digit');

export const TenantId = Name.describe('Tenant the resource belongs to');
export const DEFAULT_TENANT = 'default';

/** A whole number from min to max; anything else is "must be a whole number, in digits". */
export function wholeNumber(min: number, max: number) {
  return z.number({ error: (iss) => (iss.code === 'invalid_type' ? 'must be a whole number, in digits' : undefined) }).int().min(min).max(max);
}

/**
 * A number in a query string: digits only. z.coerce.number() read `0x10` as 16, `1e2` as 100 and ` 5` as 5 — a
 * silent change of what was sent. A number (a caller in the same process) passes as it is.
 */
export function queryNumber<T extends z.ZodType>(schema: T) {
  return z.preprocess((v) => (typeof v === 'string' && /^\d{1,10}$/.test(v) ? Number(v) : v), schema);
}

export const Pagination = z.strictObject({
  limit: queryNumber(wholeNumber(1, 1000).default(50)),
  cursor: z.string().max(512).optional().describe('Opaque cursor from the previous page'),
});

/** The query of a listing whose pages hold up to 1,000 items by default (those that once answered 1,000 at most, unpaged). */
export function pageQuery(order: string) {
  return z.strictObject({
    limit: queryNumber(wholeNumber(1, 1000).default(1000)).describe(`Page size (${order})`),
    cursor: Pagination.shape.cursor,
  });
}

export function page<T extends z.ZodType>(item: T, id: string) {
  return z
    .object({
      items: z.array(item),
      nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page'),
    })
    .meta({ id });
}

/** Comma-separated list of enum values in a query string, e.g. `status=PENDING,FAILED`. */
export function csvOf<T extends readonly [string, ...string[]]>(values: T) {
  return z
    .string()
    .max(512)
    .transform((s) => s.split(',').map((v) => v.trim()).filter(Boolean))
    .pipe(z.array(z.enum(values)).min(1))
    .describe(`Comma-separated, any of: ${values.join(', ')}`);
}
