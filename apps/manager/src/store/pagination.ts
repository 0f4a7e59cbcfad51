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

export function decodeCursor(cursor: string, length: number): unknown[] {
  try {
    const values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(values) && values.length === length) return values;
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
