// Keyset pagination shared by every listing: a WHERE builder with numbered placeholders, opaque cursors
// (base64url of the last row's sort key values) and the page cut (one extra row says there is more).
import { ValidationError } from '../domain/errors.js';

export class Where {
  readonly params: unknown[] = [];
  private readonly clauses: string[] = [];

  /** Binds a value and returns its placeholder. */
  bind(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  /** Adds a condition in which every `?` stands for `value`. */
  add(sql: string, value: unknown): this {
    this.clauses.push(sql.replaceAll('?', this.bind(value)));
    return this;
  }

  /** Adds a condition whose placeholders the caller bound itself. */
  raw(sql: string): this {
    this.clauses.push(sql);
    return this;
  }

  toString(): string {
    return this.clauses.length ? `WHERE ${this.clauses.join(' AND ')}` : '';
  }
}

export function encodeCursor(values: unknown[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

/** What one value of a cursor is: checked before it reaches a statement (a forged cursor is a 400 on either store). */
export type CursorPart = 'uuid' | 'timestamp' | 'smallint' | 'bigint' | 'text';

/** The SQL type a cursor value of each kind is compared as. */
export const CURSOR_CAST: Record<CursorPart, string> = { uuid: 'uuid', timestamp: 'timestamptz', smallint: 'smallint', bigint: 'bigint', text: 'text' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** As Date#toISOString writes a row's timestamptz(3). */
const ISO_UTC_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const BIGINT_MAX = 9223372036854775807n;

function fits(part: CursorPart, v: unknown): boolean {
  switch (part) {
    case 'uuid':
      return typeof v === 'string' && UUID.test(v);
    case 'timestamp':
      return typeof v === 'string' && ISO_UTC_MS.test(v) && new Date(v).toISOString() === v;
    case 'smallint':
      return Number.isInteger(v) && Math.abs(v as number) <= 32767;
    case 'bigint':
      return (typeof v === 'string' && /^\d{1,19}$/.test(v) && BigInt(v) <= BIGINT_MAX) || (Number.isSafeInteger(v) && (v as number) >= 0);
    case 'text':
      return typeof v === 'string' && !v.includes('\u0000');
  }
}

/** The values of a cursor made by encodeCursor for a listing whose sort key is `parts`; anything else is a 400. */
export function decodeCursor(cursor: string, parts: readonly CursorPart[]): unknown[] {
  try {
    const values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(values) && values.length === parts.length && parts.every((p, i) => fits(p, values[i]))) return values;
  } catch {
    // fall through
  }
  throw new ValidationError('cursor is not valid for this listing', [{ path: '/query/cursor', message: 'not a cursor returned by this endpoint with the same sort' }]);
}

/** Cuts `rows` (fetched with LIMIT limit + 1) to a page and makes the cursor of the next one from its last row. */
export function pageOf<R, T>(rows: R[], limit: number, keyOf: (last: R) => unknown[], map: (row: R) => T): { items: T[]; nextCursor: string | null } {
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  const last = page[page.length - 1];
  return { items: page.map(map), nextCursor: more && last !== undefined ? encodeCursor(keyOf(last)) : null };
}
