// /jobs: create (bulk, idempotent), list, get, update, delete, cancel / suspend / resume / retry.
import { routes } from '@jobnik/contracts';
import type { FastifyInstance } from 'fastify';
import { tenantForWrite } from '../domain/caller.js';
import { actorOfCaller } from '../domain/audit.js';
import { callerOf } from '../http/caller.js';
import { defineRoute } from '../http/define-route.js';
import { traceHeadersOf } from '../http/trace-headers.js';
import type { RouteContext } from './context.js';

export function jobRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { jobs, lifecycle, reads, limits } = ctx;

  defineRoute(app, routes.createJob, limits, async ({ body }, request, reply) => {
    const caller = callerOf(request);
    const tenantId = tenantForWrite(caller, body.tenantId);
    const { job, created } = await jobs.create({ ...body, tenantId }, { scope: caller.scope, ...traceHeadersOf(request), actor: actorOfCaller(caller) });
    reply.code(created ? 201 : 200);
    return job;
  });

  defineRoute(app, routes.listJobs, limits, async ({ query }, request) => reads.listJobs(query, callerOf(request).scope));
  defineRoute(app, routes.getJob, limits, async ({ params, query }, request) => reads.mustGetJob(params.jobId, callerOf(request).scope, query.include ?? []));
  defineRoute(app, routes.updateJob, limits, async ({ params, body }, request) => jobs.update(params.jobId, body, callerOf(request).scope));
  defineRoute(app, routes.deleteJob, limits, async ({ params }, request, reply) => {
    await jobs.delete(params.jobId, callerOf(request).scope);
    reply.code(204);
  });

  defineRoute(app, routes.cancelJob, limits, async ({ params }, request) => lifecycle.cancelJob(params.jobId, callerOf(request).scope, actorOfCaller(callerOf(request))));
  defineRoute(app, routes.suspendJob, limits, async ({ params }, request) => lifecycle.suspendJob(params.jobId, callerOf(request).scope, actorOfCaller(callerOf(request))));
  defineRoute(app, routes.resumeJob, limits, async ({ params }, request) => lifecycle.resumeJob(params.jobId, callerOf(request).scope, actorOfCaller(callerOf(request))));
  defineRoute(app, routes.retryJob, limits, async ({ params }, request) => lifecycle.retryJob(params.jobId, callerOf(request).scope, actorOfCaller(callerOf(request))));
  defineRoute(app, routes.getJobHistory, limits, async ({ params, query }, request) => reads.jobHistory(params.jobId, callerOf(request).scope, query));
  defineRoute(app, routes.listJobEvents, limits, async ({ params, query }, request) => reads.listJobEvents(params.jobId, callerOf(request).scope, query));
}
