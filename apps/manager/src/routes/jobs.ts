// /jobs: create (bulk, idempotent), list, get, update, delete, cancel / suspend / resume / retry.
import { routes } from '@jobnik/contracts';
import type { FastifyInstance } from 'fastify';
import { callerOf, tenantForWrite } from '../http/caller.js';
import { defineRoute } from '../http/define-route.js';
import { getJob, listJobs } from '../store/jobs.js';
import { listDeliveries } from '../store/webhooks.js';
import { NotFoundError } from '../domain/errors.js';
import type { RouteContext } from './context.js';

export function jobRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { jobs, lifecycle, limits } = ctx;

  defineRoute(app, routes.createJob, limits, async ({ body }, request, reply) => {
    const caller = callerOf(request);
    const header = (name: string) => {
      const v = request.headers[name];
      return typeof v === 'string' ? v : null;
    };
    const tenantId = tenantForWrite(caller, body.tenantId);
    const { job, created } = await jobs.create({ ...body, tenantId }, { ...caller, traceparent: header('traceparent'), tracestate: header('tracestate') });
    reply.code(created ? 201 : 200);
    return job;
  });

  defineRoute(app, routes.listJobs, limits, async ({ query }, request) => listJobs(ctx.db, query, callerOf(request).scope));

  defineRoute(app, routes.getJob, limits, async ({ params, query }, request) => jobs.mustGet(params.jobId, callerOf(request).scope, query.include ?? []));

  defineRoute(app, routes.updateJob, limits, async ({ params, body }, request) => jobs.update(params.jobId, body, callerOf(request).scope));

  defineRoute(app, routes.deleteJob, limits, async ({ params }, request, reply) => {
    await jobs.delete(params.jobId, callerOf(request).scope);
    reply.code(204);
  });

  defineRoute(app, routes.cancelJob, limits, async ({ params }, request) => lifecycle.cancelJob(params.jobId, callerOf(request).scope));
  defineRoute(app, routes.suspendJob, limits, async ({ params }, request) => lifecycle.suspendJob(params.jobId, callerOf(request).scope));
  defineRoute(app, routes.resumeJob, limits, async ({ params }, request) => lifecycle.resumeJob(params.jobId, callerOf(request).scope));
  defineRoute(app, routes.listJobEvents, limits, async ({ params }, request) => {
    if (!(await getJob(ctx.db, params.jobId, callerOf(request).scope))) throw new NotFoundError('job', params.jobId);
    return { items: await listDeliveries(ctx.db, params.jobId) };
  });
  defineRoute(app, routes.retryJob, limits, async ({ params }, request) => lifecycle.retryJob(params.jobId, callerOf(request).scope));
}
