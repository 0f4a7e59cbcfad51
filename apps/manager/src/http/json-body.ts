// The JSON body parser: an empty body is no body, and text PostgreSQL cannot store (U+0000) is refused here,
// at the edge, with the path that carries it, instead of failing deep inside a transaction.
import { AppError } from '../domain/errors.js';

/** Path of the first string (value or key) holding U+0000, e.g. /body/data/s; null when there is none. */
function findNul(value: unknown, path: string): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findNul(value[i], `${path}/${i}`);
      if (hit) return hit;
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const at = `${path}/${k.replaceAll('\u0000', '\\u0000')}`;
      if (k.includes('\u0000')) return at;
      const hit = findNul(v, at);
      if (hit) return hit;
    }
  }
  return null;
}

/** Parses a request body; throws SyntaxError for malformed JSON and a 400 AppError for U+0000. */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  const value: unknown = JSON.parse(text);
  // JSON can only carry U+0000 escaped; the full walk runs only when the escape is in the text at all.
  if (text.includes('\\u0000')) {
    const path = findNul(value, '/body');
    if (path) throw new AppError('VALIDATION_FAILED', 400, 'text may not contain U+0000', [{ path, message: 'U+0000 (NUL) cannot be stored' }]);
  }
  return value;
}
