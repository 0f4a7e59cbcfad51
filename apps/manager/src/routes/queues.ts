// /queues, /dequeue and /workers: queue depth and settings, the long-polling batch dequeue, heartbeats.
import { routes } from '@jobnik/contracts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { assertStageTypesAllowed, tenantForRead, tenantForWrite } from '../domain/caller.js';
import { ValidationError } from '../domain/errors.js';
import { callerOf } from '../http/caller.js';
import { defineRoute } from '../http/define-route.js';
import { disconnectSignal } from '../http/disconnect-signal.js';
import type { RouteContext } from './context.js';

export function queueRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { queues, work, stats, limits } = ctx;

  defineRoute(app, routes.listQueues, limits, async ({ query }, request) => {
    const { tenantId, ...filter } = query;
    return queues.list(tenantForRead(callerOf(request), tenantId), filter);
  });

  defineRoute(app, routes.updateQueue, limits, async ({ params, query, body }, request) =>
    queues.update(tenantForWrite(callerOf(request), query.tenantId), params.stageType, body),
  );

  // The body comes from the database already serialized (see WorkService.dequeue); it is sent as it is.
  const dequeue = async (stageTypes: string[], body: { workerId: string; max: number; waitMs: number; leaseMs?: number; tenantId?: string; quietOnly: boolean }, request: FastifyRequest, reply: FastifyReply) => {
    const caller = callerOf(request);
    assertStageTypesAllowed(caller, stageTypes);
    const res = await work.dequeue(
      { stageTypes, workerId: body.workerId, max: body.max, waitMs: body.waitMs, leaseMs: body.leaseMs, quietOnly: body.quietOnly, tenantId: caller.scope === null ? (body.tenantId ?? null) : tenantForWrite(caller, body.tenantId) },
      disconnectSignal(reply),
    );
    reply.type('application/json; charset=utf-8');
    return res.json;
  };

  defineRoute(app, routes.dequeue, limits, async ({ params, body }, request, reply) => dequeue([params.stageType], body, request, reply));
  defineRoute(app, routes.dequeueMany, limits, async ({ body }, request, reply) => {
    if (!body.stageTypes) throw new ValidationError('stageTypes is required on /dequeue', [{ path: '/body/stageTypes', message: 'Required' }]);
    return dequeue(body.stageTypes, body, request, reply);
  });

  defineRoute(app, routes.heartbeat, limits, async ({ params, body }, request) => {
    const caller = callerOf(request);
    return work.heartbeat(params.workerId, caller.tenantId, caller.scope, body);
  });

  defineRoute(app, routes.listWorkers, limits, async (_input, request) => ({ items: await queues.listWorkers(callerOf(request).scope) }));

  defineRoute(app, routes.getStats, limits, async ({ query }, request) => stats.stats(tenantForRead(callerOf(request), query.tenantId)));
}
