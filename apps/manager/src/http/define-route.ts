// Binds a handler to a route of the contracts' table: validates params, query and body with its zod
// schemas (all issues at once, each with its path) and types the handler's input from them.
import type { RouteDef } from '@jobnik/contracts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { ValidationError } from '../domain/errors.js';
import { issuesOf } from './problem.js';
import type { ProblemIssue } from '@jobnik/contracts';

type Out<S> = NonNullable<S> extends z.ZodType ? z.output<NonNullable<S>> : undefined;

export interface RouteInput<D extends RouteDef> {
  params: Out<D['params']>;
  query: Out<D['query']>;
  body: Out<D['body']>;
}

export type Handler<D extends RouteDef> = (input: RouteInput<D>, request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

export interface RouteLimits {
  maxJsonDepth: number;
}

/**
 * The path of the first value nested deeper than maxDepth, or null. Iterative: a hostile body cannot
 * blow the stack. Only objects are visited and no path is built unless the body is too deep (then a
 * second walk names it), so the check costs little on the hot path.
 */
export function tooDeep(value: unknown, maxDepth: number): string | null {
  if (value === null || typeof value !== 'object') return null;
  const values: object[] = [value];
  const depths: number[] = [0];
  while (values.length) {
    const v = values.pop()!;
    const depth = depths.pop()!;
    if (depth >= maxDepth) return pathTooDeep(value, maxDepth);
    for (const k in v) {
      const child = (v as Record<string, unknown>)[k];
      if (child !== null && typeof child === 'object') {
        values.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return null;
}

function pathTooDeep(value: object, maxDepth: number): string {
  const stack: { v: object; depth: number; path: string }[] = [{ v: value, depth: 0, path: '' }];
  for (;;) {
    const { v, depth, path } = stack.pop()!;
    if (depth >= maxDepth) return path || '/';
    for (const [k, child] of Object.entries(v)) {
      if (child !== null && typeof child === 'object') stack.push({ v: child as object, depth: depth + 1, path: `${path}/${k}` });
    }
  }
}

function parse(schema: z.ZodType | undefined, value: unknown, where: string, issues: ProblemIssue[]): unknown {
  if (!schema) return undefined;
  const r = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (r.success) return r.data;
  issues.push(...issuesOf(r.error, where));
  return undefined;
}

export function defineRoute<D extends RouteDef>(app: FastifyInstance, def: D, limits: RouteLimits, handler: Handler<D>): void {
  app.route({
    method: def.method,
    url: def.path,
    config: { operationId: def.operationId, roles: def.roles },
    handler: async (request, reply) => {
      if (def.body) {
        const deep = tooDeep(request.body, limits.maxJsonDepth);
        if (deep) throw new ValidationError(`the body nests deeper than ${limits.maxJsonDepth} levels`, [{ path: `/body${deep}`, message: 'nested too deep' }]);
      }
      const issues: ProblemIssue[] = [];
      const input = {
        params: parse(def.params, request.params, 'params', issues),
        query: parse(def.query, request.query, 'query', issues),
        body: parse(def.body, request.body, 'body', issues),
      } as RouteInput<D>;
      if (issues.length) throw new ValidationError(`the request is not valid: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
      const result = await handler(input, request, reply);
      if (reply.sent) return reply;
      const status = Number(Object.keys(def.responses)[0]);
      if (!reply.statusCode || reply.statusCode === 200) reply.code(status);
      return result === undefined ? reply.send() : result;
    },
  });
}
