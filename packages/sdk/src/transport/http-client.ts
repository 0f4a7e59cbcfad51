// The one keep-alive connection pool to the manager, and the translation of raw answers and socket
// failures into the SDK's errors.
import { Pool, type Dispatcher } from 'undici';
import { ManagerUnavailableError, errorFromResponse, parseRetryAfter } from '../errors.js';
import type { ResolvedClientOptions } from '../options.js';

export interface HttpRequest {
  method: Dispatcher.HttpMethod;
  /** Path below the base URL, with its query string. */
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** Aborts on the per-call timeout or the caller's signal. */
  signal: AbortSignal;
  /** Distinguishes the caller's abort (rethrown as is) from the timeout (a ManagerUnavailableError). */
  callerSignal?: AbortSignal;
}

/** Socket errors that mean the request never left this process. */
const UNSENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

function errorCode(err: unknown): string | undefined {
  const seen = new Set<unknown>();
  let e: unknown = err;
  while (e && typeof e === 'object' && !seen.has(e)) {
    seen.add(e);
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('E')) return code;
    const errors = (e as { errors?: unknown[] }).errors;
    if (Array.isArray(errors) && errors.length > 0) e = errors[0];
    else e = (e as { cause?: unknown }).cause;
  }
  const top = (err as { code?: unknown } | null)?.code;
  return typeof top === 'string' ? top : undefined;
}

export class HttpClient {
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly origin: string;
  private readonly prefix: string;

  constructor(options: Pick<ResolvedClientOptions, 'baseUrl' | 'http'>) {
    const url = new URL(options.baseUrl);
    this.origin = url.origin;
    this.prefix = url.pathname.replace(/\/+$/, '');
    this.ownsDispatcher = !options.http.dispatcher;
    this.dispatcher =
      options.http.dispatcher ??
      new Pool(this.origin, {
        connections: options.http.connections,
        keepAliveTimeout: options.http.keepAliveTimeoutMs,
        // Our own per-call timeout governs; undici's 300 s defaults would only hide a hung long-poll.
        headersTimeout: 0,
        bodyTimeout: 0,
      });
  }

  /** Sends one request; resolves with the parsed JSON body of a 2xx answer, throws a JobnikError otherwise. */
  async send(req: HttpRequest): Promise<unknown> {
    let res: Dispatcher.ResponseData;
    try {
      res = await this.dispatcher.request({
        origin: this.origin,
        method: req.method,
        path: this.prefix + req.path,
        headers: req.headers,
        body: req.body,
        signal: req.signal,
      });
    } catch (err) {
      throw this.failure(err, req);
    }
    let text: string;
    try {
      text = await res.body.text();
    } catch (err) {
      throw this.failure(err, req);
    }
    const type = String(res.headers['content-type'] ?? '');
    let body: unknown = undefined;
    if (text.length > 0 && type.includes('json')) {
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
    }
    if (res.statusCode >= 200 && res.statusCode < 300) return body;
    throw errorFromResponse(res.statusCode, body, parseRetryAfter(res.headers['retry-after']));
  }

  private failure(err: unknown, req: HttpRequest): unknown {
    if (req.callerSignal?.aborted) return req.callerSignal.reason;
    if (req.signal.aborted) {
      return new ManagerUnavailableError(`${req.method} ${req.path} timed out`, { code: 'TIMEOUT', cause: err });
    }
    const code = errorCode(err);
    const unsent = code !== undefined && UNSENT_CODES.has(code);
    const message = err instanceof Error ? err.message : String(err);
    return new ManagerUnavailableError(`${req.method} ${req.path} failed: ${code ?? message}`, {
      code: 'NETWORK_ERROR',
      unsent,
      cause: err,
    });
  }

  /** Waits for in-flight requests, then closes the sockets (only the SDK's own pool). */
  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  /** Closes at once, failing in-flight requests. */
  async destroy(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.destroy();
  }
}
