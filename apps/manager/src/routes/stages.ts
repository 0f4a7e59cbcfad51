// /jobs/{id}/stages and /stages: add and read stages, append tasks in bulk, stage lifecycle.
import { routes } from '@jobnik/contracts';
import type { FastifyInstance } from 'fastify';
import { actorOfCaller } from '../domain/audit.js';
import { callerOf } from '../http/caller.js';
import { defineRoute } from '../http/define-route.js';
import type { RouteContext } from './context.js';

export function stageRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { jobs, lifecycle, reads, limits } = ctx;

  defineRoute(app, routes.listStages, limits, async ({ params }, request) => ({ items: await reads.listStagesOfJob(params.jobId, callerOf(request).scope) }));
  defineRoute(app, routes.addStage, limits, async ({ params, body }, request, reply) => {
    const { idempotencyKey, ...stage } = body;
    const added = await jobs.addStage(params.jobId, stage, callerOf(request).scope, actorOfCaller(callerOf(request)), idempotencyKey);
    reply.code(added.created ? 201 : 200);
    return added.stage;
  });
  defineRoute(app, routes.getStage, limits, async ({ params }, request) => reads.mustGetStage(params.stageId, callerOf(request).scope));
  defineRoute(app, routes.getStageSummary, limits, async ({ params }, request) => (await reads.mustGetStage(params.stageId, callerOf(request).scope)).summary);
  defineRoute(app, routes.addTasks, limits, async ({ params, body }, request, reply) => {
    const { added, created } = await jobs.addTasks(params.stageId, body.tasks, callerOf(request).scope, actorOfCaller(callerOf(request)), body.idempotencyKey);
    reply.code(created ? 201 : 200);
    return added;
  });
  defineRoute(app, routes.listStageTasks, limits, async ({ params, query }, request) => reads.listStageTasks(params.stageId, query, callerOf(request).scope));
  defineRoute(app, routes.cancelStage, limits, async ({ params }, request) => lifecycle.cancelStage(params.stageId, callerOf(request).scope, actorOfCaller(callerOf(request))));
  defineRoute(app, routes.suspendStage, limits, async ({ params }, request) => lifecycle.suspendStage(params.stageId, callerOf(request).scope, actorOfCaller(callerOf(request))));
  defineRoute(app, routes.resumeStage, limits, async ({ params }, request) => lifecycle.resumeStage(params.stageId, callerOf(request).scope, actorOfCaller(callerOf(request))));
  defineRoute(app, routes.releaseStage, limits, async ({ params }, request) => lifecycle.releaseStage(params.stageId, callerOf(request).scope, actorOfCaller(callerOf(request))));
}
