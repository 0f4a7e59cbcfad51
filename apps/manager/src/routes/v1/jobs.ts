// /v1/jobs: create, list, get, delete, user metadata, priority, status, stages of a job, add a stage.
import { v1Routes } from '@jobnik/contracts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { actorOfCaller } from '../../domain/audit.js';
import { tenantForWrite } from '../../domain/caller.js';
import { callerOf } from '../../http/caller.js';
import { defineRoute } from '../../http/define-route.js';
import { traceHeadersOf } from '../../http/trace-headers.js';
import type { RouteContext } from '../context.js';
import { belowPrefix } from './prefix.js';

export function v1JobRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { v1, limits } = ctx;
  const scope = (request: FastifyRequest) => callerOf(request).scope;
  const actor = (request: FastifyRequest) => actorOfCaller(callerOf(request));

  defineRoute(app, belowPrefix(v1Routes.v1ListJobs), limits, async ({ query }, request) => v1.listJobs(query, scope(request)));
  defineRoute(app, belowPrefix(v1Routes.v1CreateJob), limits, async ({ body }, request) => {
    const caller = callerOf(request);
    return v1.createJob(body, { tenantId: tenantForWrite(caller, undefined), scope: caller.scope, ...traceHeadersOf(request), actor: actorOfCaller(caller) });
  });
  defineRoute(app, belowPrefix(v1Routes.v1GetJob), limits, async ({ params, query }, request) => v1.getJob(params.jobId, scope(request), query.should_return_stages ?? false));
  defineRoute(app, belowPrefix(v1Routes.v1DeleteJob), limits, async ({ params }, request) => {
    await v1.deleteJob(params.jobId, scope(request));
    return { code: 'JOB_DELETED_SUCCESSFULLY' };
  });
  defineRoute(app, belowPrefix(v1Routes.v1UpdateJobMetadata), limits, async ({ params, body }, request) => {
    await v1.setJobMetadata(params.jobId, body, scope(request));
    return { code: 'JOB_MODIFIED_SUCCESSFULLY' };
  });
  defineRoute(app, belowPrefix(v1Routes.v1UpdateJobPriority), limits, async ({ params, body }, request, reply) => {
    if (await v1.setJobPriority(params.jobId, body.priority, scope(request))) return { code: 'JOB_MODIFIED_SUCCESSFULLY' };
    return reply.code(204).header('reason', `the job's priority is already ${body.priority}`).send();
  });
  defineRoute(app, belowPrefix(v1Routes.v1UpdateJobStatus), limits, async ({ params, body }, request) => {
    await v1.setJobStatus(params.jobId, body.status, scope(request), actor(request));
    return { code: 'JOB_MODIFIED_SUCCESSFULLY' };
  });
  defineRoute(app, belowPrefix(v1Routes.v1ListJobStages), limits, async ({ params, query }, request) => v1.listJobStages(params.jobId, scope(request), query.should_return_tasks ?? false));
  defineRoute(app, belowPrefix(v1Routes.v1AddStage), limits, async ({ params, body }, request) => v1.addStage(params.jobId, body, scope(request), actor(request)));
}
