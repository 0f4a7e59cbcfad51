// The JSON body parser, strict at the edge so nothing sent is silently changed: the bytes must be UTF-8 (not
// replaced by U+FFFD), numbers must fit a float64 (1e400 would be stored as null), integers must be kept exactly
// (9007199254740993 would be stored as 9007199254740992), and text must be storable by PostgreSQL (no U+0000).
// Each refusal is a 400 naming the offending path. An empty body is no body.
import { isUtf8 } from 'node:buffer';
import { AppError } from '../domain/errors.js';

/** Path of the first value or key for which `bad` holds, e.g. /body/data/s; null when there is none. */
function findPath(value: unknown, path: string, bad: (v: unknown) => boolean): string | null {
  if (bad(value)) return path;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findPath(value[i], `${path}/${i}`, bad);
      if (hit) return hit;
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const at = `${path}/${k.replaceAll('\u0000', '\\u0000')}`;
      if (bad(k)) return at;
      const hit = findPath(v, at, bad);
      if (hit) return hit;
    }
  }
  return null;
}

const hasNul = (v: unknown) => typeof v === 'string' && v.includes('\u0000');
const notFinite = (v: unknown) => typeof v === 'number' && !Number.isFinite(v);
/**
 * Only a number with a 3-digit exponent or 309+ digits can overflow a float64, and only an integer of 16+ digits can
 * be past 2^53: one scan of the text for either, and the checks run only when it finds one. A number ends where a
 * value does (whitespace , ] } or the end), never at a quote: ids and tokens in strings ("…3e123…") do not count.
 */
const SUSPECT_NUMBER = /\d[eE]\+?\d{3,}(?=[\s,\]}]|$)|\d{16}(?=[\s,\]}]|$)/;
/** String literals (skipped whole) or an integer literal of 16+ digits (no fraction, no exponent). */
const LONG_INTEGER = /"(?:[^"\\]|\\.)*"|(?<![\d.eE+-])-?\d{16,}(?![.eE\d])/g;

/** The first integer literal of `text` that a float64 does not hold exactly, e.g. 9007199254740993; null when none. */
function inexactInteger(text: string): string | null {
  for (const [token] of text.matchAll(LONG_INTEGER)) {
    if (token.startsWith('"')) continue;
    if (BigInt(token) !== BigInt(Number(token))) return token;
  }
  return null;
}

/**
 * A body declared in another charset than UTF-8 (`application/json; charset=utf-16`) is a 415: JSON between
 * systems is UTF-8 (RFC 8259), and reading its bytes as UTF-8 would change or refuse what was sent.
 */
export function assertUtf8Charset(contentType: string | undefined): void {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '')?.[1];
  if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', 415, `charset ${charset} is not supported; send the JSON body as UTF-8`);
  }
}

/** Parses a request body; throws SyntaxError for malformed JSON and a 400 AppError for what cannot be kept as sent. */
export function parseJsonBody(bytes: Buffer): unknown {
  if (!isUtf8(bytes)) throw new AppError('INVALID_UTF8', 400, 'the body is not valid UTF-8; send JSON text encoded as UTF-8');
  const text = bytes.toString('utf8');
  if (text.trim() === '') return undefined;
  const value: unknown = JSON.parse(text);
  // JSON can only carry U+0000 escaped; the full walk runs only when the escape is in the text at all.
  if (text.includes('\\u0000')) {
    const path = findPath(value, '/body', hasNul);
    if (path) throw new AppError('VALIDATION_FAILED', 400, 'text may not contain U+0000', [{ path, message: 'U+0000 (NUL) cannot be stored' }]);
  }
  if (!SUSPECT_NUMBER.test(text)) return value;
  const huge = findPath(value, '/body', notFinite);
  if (huge) throw new AppError('NUMBER_OUT_OF_RANGE', 400, `a number at ${huge} is beyond the range of a 64-bit float`, [{ path: huge, message: 'number out of range (|n| > 1.8e308)' }]);
  const inexact = inexactInteger(text);
  if (inexact !== null) {
    const path = findPath(value, '/body', (v) => v === Number(inexact)) ?? '/body';
    throw new AppError('NUMBER_OUT_OF_RANGE', 400, `the integer ${inexact} at ${path} cannot be kept exactly (past 2^53); send it as a string`, [
      { path, message: 'integer not exactly representable as a 64-bit float' },
    ]);
  }
  return value;
}
