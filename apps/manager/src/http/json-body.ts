// The JSON body parser, strict at the edge so nothing sent is silently changed: the bytes must be UTF-8 (not
// replaced by U+FFFD), numbers must fit a float64 (1e400 would be stored as null), and text must be storable
// by PostgreSQL (no U+0000). Each refusal is a 400 naming the offending path. An empty body is no body.
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
/** Only a number with a 3-digit exponent or 309+ digits can overflow a float64: the walk runs only then. */
const MAYBE_HUGE = /[eE]\+?\d{3}|\d{309}/;

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
  if (MAYBE_HUGE.test(text)) {
    const path = findPath(value, '/body', notFinite);
    if (path) throw new AppError('NUMBER_OUT_OF_RANGE', 400, `a number at ${path} is beyond the range of a 64-bit float`, [{ path, message: 'number out of range (|n| > 1.8e308)' }]);
  }
  return value;
}
