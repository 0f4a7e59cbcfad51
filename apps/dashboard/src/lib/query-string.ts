// Query strings for API calls and page URLs: empty values left out, lists comma-separated (as the
// manager's `status=A,B` filters expect), commas kept readable.

export type QueryValue = string | number | boolean | readonly string[] | null | undefined;

function encode(value: string): string {
  return encodeURIComponent(value).replaceAll('%2C', ',');
}

/** { status: ['A', 'B'], name: '' } → "?status=A,B"; "" when nothing is left. Keys keep their order. */
export function toQueryString(params: Record<string, QueryValue>): string {
  const parts: string[] = [];
  for (const [key, raw] of Object.entries(params)) {
    if (raw === null || raw === undefined) continue;
    const value = Array.isArray(raw) ? raw.join(',') : String(raw);
    if (value === '') continue;
    parts.push(`${encode(key)}=${encode(value)}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

/** Every value of a list parameter, whether repeated (`a=1&a=2`) or comma-separated (`a=1,2`). */
export function listParam(params: URLSearchParams, key: string): string[] {
  return params
    .getAll(key)
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}
