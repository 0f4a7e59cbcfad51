// /v1/stages: the global list, get, summary, user metadata, status (release a held stage), tasks of a stage.
import { v1Routes } from '@jobnik/contracts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { actorOfCaller } from '../../domain/audit.js';
import { callerOf } from '../../http/caller.js';
import { defineRoute } from '../../http/define-route.js';
import type { RouteContext } from '../context.js';
import { belowPrefix } from './prefix.js';

export function v1StageRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { v1, limits } = ctx;
  const scope = (request: FastifyRequest) => callerOf(request).scope;

  defineRoute(app, belowPrefix(v1Routes.v1ListStages), limits, async ({ query }, request) => v1.listStages(query, scope(request)));
  defineRoute(app, belowPrefix(v1Routes.v1GetStage), limits, async ({ params, query }, request) => v1.getStage(params.stageId, scope(request), query.should_return_tasks ?? false));
  defineRoute(app, belowPrefix(v1Routes.v1GetStageSummary), limits, async ({ params }, request) => v1.stageSummary(params.stageId, scope(request)));
  defineRoute(app, belowPrefix(v1Routes.v1UpdateStageMetadata), limits, async ({ params, body }, request) => {
    await v1.setStageMetadata(params.stageId, body, scope(request));
    return { code: 'STAGE_MODIFIED_SUCCESSFULLY' };
  });
  defineRoute(app, belowPrefix(v1Routes.v1UpdateStageStatus), limits, async ({ params }, request) => {
    await v1.releaseStage(params.stageId, scope(request), actorOfCaller(callerOf(request)));
    return { code: 'STAGE_MODIFIED_SUCCESSFULLY' };
  });
  defineRoute(app, belowPrefix(v1Routes.v1ListStageTasks), limits, async ({ params }, request) => v1.listStageTasks(params.stageId, scope(request)));
  defineRoute(app, belowPrefix(v1Routes.v1AddTasks), limits, async ({ params, body }, request) => v1.addTasks(params.stageId, body, scope(request)));
}
