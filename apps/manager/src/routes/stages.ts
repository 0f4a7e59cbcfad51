// /jobs/{id}/stages and /stages: add and read stages, append tasks in bulk, stage lifecycle.
import { routes } from '@jobnik/contracts';
import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '../domain/errors.js';
import { callerOf } from '../http/caller.js';
import { defineRoute } from '../http/define-route.js';
import { getJob } from '../store/jobs.js';
import { getStage, listStagesOfJob } from '../store/stages.js';
import { listTasks } from '../store/tasks.js';
import type { RouteContext } from './context.js';

export function stageRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { db, jobs, lifecycle, limits } = ctx;

  const mustGetStage = async (id: string, scope: string | null) => {
    const stage = await getStage(db, id, scope);
    if (!stage) throw new NotFoundError('stage', id);
    return stage;
  };

  defineRoute(app, routes.listStages, limits, async ({ params }, request) => {
    if (!(await getJob(db, params.jobId, callerOf(request).scope))) throw new NotFoundError('job', params.jobId);
    return { items: await listStagesOfJob(db, params.jobId) };
  });
  defineRoute(app, routes.addStage, limits, async ({ params, body }, request) => jobs.addStage(params.jobId, body, callerOf(request).scope));
  defineRoute(app, routes.getStage, limits, async ({ params }, request) => mustGetStage(params.stageId, callerOf(request).scope));
  defineRoute(app, routes.getStageSummary, limits, async ({ params }, request) => (await mustGetStage(params.stageId, callerOf(request).scope)).summary);
  defineRoute(app, routes.addTasks, limits, async ({ params, body }, request) => jobs.addTasks(params.stageId, body.tasks, callerOf(request).scope));
  defineRoute(app, routes.listStageTasks, limits, async ({ params, query }, request) => {
    const scope = callerOf(request).scope;
    await mustGetStage(params.stageId, scope);
    return listTasks(db, { ...query, stageId: params.stageId }, scope);
  });
  defineRoute(app, routes.cancelStage, limits, async ({ params }, request) => lifecycle.cancelStage(params.stageId, callerOf(request).scope));
  defineRoute(app, routes.suspendStage, limits, async ({ params }, request) => lifecycle.suspendStage(params.stageId, callerOf(request).scope));
  defineRoute(app, routes.resumeStage, limits, async ({ params }, request) => lifecycle.resumeStage(params.stageId, callerOf(request).scope));
}
