// /v1 worker and task routes: dequeue one task, list, get, user metadata, COMPLETED / FAILED by task id.
import { v1Routes } from '@jobnik/contracts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { assertStageTypesAllowed } from '../../domain/caller.js';
import { callerOf } from '../../http/caller.js';
import { defineRoute } from '../../http/define-route.js';
import type { RouteContext } from '../context.js';
import { belowPrefix } from './prefix.js';

/** Their workers do not name themselves: the lease records `x-worker-id` when sent, else the caller's address. */
function workerIdOf(request: FastifyRequest): string {
  const id = request.headers['x-worker-id'];
  return typeof id === 'string' && id ? id.slice(0, 128) : `v1:${request.ip}`;
}

export function v1TaskRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { v1, limits } = ctx;
  const scope = (request: FastifyRequest) => callerOf(request).scope;

  defineRoute(app, belowPrefix(v1Routes.v1Dequeue), limits, async ({ params }, request) => {
    const caller = callerOf(request);
    assertStageTypesAllowed(caller, [params.stageType]);
    return v1.dequeue(params.stageType, caller.scope, workerIdOf(request));
  });
  defineRoute(app, belowPrefix(v1Routes.v1ListTasks), limits, async ({ query }, request) => v1.listTasks(query, scope(request)));
  defineRoute(app, belowPrefix(v1Routes.v1GetTask), limits, async ({ params }, request) => v1.getTask(params.taskId, scope(request)));
  defineRoute(app, belowPrefix(v1Routes.v1UpdateTaskMetadata), limits, async ({ params, body }, request) => {
    await v1.setTaskMetadata(params.taskId, body, scope(request));
    return { code: 'TASK_MODIFIED_SUCCESSFULLY' };
  });
  defineRoute(app, belowPrefix(v1Routes.v1UpdateTaskStatus), limits, async ({ params, body }, request) => v1.setTaskStatus(params.taskId, body.status, scope(request)));
}
