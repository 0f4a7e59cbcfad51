// The one place the dashboard talks HTTP: same-origin paths, the stored API key, problem+json errors.
import type { ApiKeyHeader } from './api-types.js';
import { ApiError, networkProblem, problemFromAnswer } from './api-error.js';
import { authStore } from './auth-store.js';

const API_KEY_HEADER: ApiKeyHeader = 'x-api-key';

export interface RequestOptions {
  /** JSON body; leave out for calls without one (the manager rejects an empty JSON body). */
  body?: unknown;
  signal?: AbortSignal;
}

/**
 * Calls the manager at `path` (absolute, e.g. "/jobs?limit=20": the manager serves the dashboard,
 * so the API is on the page's own origin). Resolves with the parsed JSON answer (undefined for 204);
 * rejects with an ApiError, or with the AbortError when `signal` aborts.
 */
export async function apiRequest<T>(method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, options: RequestOptions = {}): Promise<T> {
  const apiKey = authStore.get().apiKey;
  const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
  if (apiKey) headers[API_KEY_HEADER] = apiKey;
  const init: RequestInit = { method, headers, cache: 'no-store', credentials: 'same-origin' };
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    init.body = JSON.stringify(options.body);
  }
  if (options.signal) init.signal = options.signal;

  let res: Response;
  try {
    res = await fetch(path, init);
  } catch (e) {
    if (options.signal?.aborted) throw e;
    throw new ApiError(networkProblem(e));
  }
  const text = await res.text();
  if (!res.ok) {
    if (res.status === 401) authStore.reportUnauthorized(apiKey);
    throw new ApiError(problemFromAnswer(res.status, res.statusText, text));
  }
  if (res.status === 204 || text === '') return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ApiError({ title: 'Unreadable answer', status: res.status, detail: `${method} ${path} did not answer JSON` });
  }
}
