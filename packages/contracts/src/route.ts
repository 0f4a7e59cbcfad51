// A route declaration: method, path and the schemas of its input and output. The manager
// registers handlers against these; the OpenAPI document and the SDK's paths come from them.
import type { z } from 'zod';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface RouteDef<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
  R extends Record<number, z.ZodType | null> = Record<number, z.ZodType | null>,
> {
  method: HttpMethod;
  /** fastify style, e.g. /jobs/:jobId */
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  /** Who may call it when API keys are on. */
  roles: readonly ('producer' | 'worker' | 'admin' | 'viewer')[];
  params?: P;
  query?: Q;
  body?: B;
  /** status → body schema (null: no body). */
  responses: R;
}

export function route<
  P extends z.ZodType,
  Q extends z.ZodType,
  B extends z.ZodType,
  R extends Record<number, z.ZodType | null>,
>(def: RouteDef<P, Q, B, R>): RouteDef<P, Q, B, R> {
  return def;
}

/** Fills a fastify-style path with values: pathOf('/jobs/:jobId', { jobId }) → /jobs/… */
export function pathOf(path: string, params: Record<string, string> = {}): string {
  return path.replace(/:([A-Za-z]+)/g, (_, k: string) => {
    const v = params[k];
    if (v === undefined) throw new Error(`missing path parameter ${k}`);
    return encodeURIComponent(v);
  });
}
