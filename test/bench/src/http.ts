// A keep-alive HTTP client for benchmarks (one undici Pool per simulated worker, like the SDK).
import { Pool } from 'undici';

export function client(base: string, connections = 4) {
  const pool = new Pool(base, { connections, pipelining: 1 });
  return {
    async post<T = any>(path: string, body?: unknown): Promise<T> {
      const res = await pool.request({ method: 'POST', path, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      const json = (await res.body.json()) as T;
      if (res.statusCode >= 400) throw new Error(`${path}: ${res.statusCode} ${JSON.stringify(json)}`);
      return json;
    },
    close: () => pool.close(),
  };
}
