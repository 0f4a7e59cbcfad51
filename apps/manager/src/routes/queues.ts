// /queues and /dequeue: queue depth and settings, and the long-polling batch dequeue.
import { DEFAULT_TENANT, routes } from '@jobnik/contracts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { assertStageTypesAllowed, callerOf, tenantForWrite } from '../http/caller.js';
import { defineRoute } from '../http/define-route.js';
import { disconnectSignal } from '../http/disconnect-signal.js';
import { getQueue, listQueues, updateQueue } from '../store/queues.js';
import { listWorkers } from '../store/heartbeat.js';
import { iso } from '../store/mappers.js';
import type { RouteContext } from './context.js';
import { ValidationError } from '../domain/errors.js';
import { notifyReady } from '../services/ready-signal.js';

export function queueRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { db, work, limits } = ctx;

  defineRoute(app, routes.listQueues, limits, async ({ query }, request) => {
    const caller = callerOf(request);
    return { items: await listQueues(db, caller.scope ?? query.tenantId ?? null) };
  });

  defineRoute(app, routes.updateQueue, limits, async ({ params, query, body }, request) => {
    const caller = callerOf(request);
    const tenantId = tenantForWrite(caller, query.tenantId) ?? DEFAULT_TENANT;
    await db.transaction(async (tx) => {
      await updateQueue(tx, tenantId, params.stageType, body);
      // Resumed, or its cap changed: long-polls parked on the queue look again (no-op when nothing is ready).
      if (body.paused === false || body.maxInFlight !== undefined) await notifyReady(tx, [params.stageType]);
    });
    return (await getQueue(db, tenantId, params.stageType))!;
  });

  // The body comes from the database already serialized (see WorkService.dequeue); it is sent as it is.
  const dequeue = async (stageTypes: string[], body: { workerId: string; max: number; waitMs: number; leaseMs?: number; tenantId?: string }, request: FastifyRequest, reply: FastifyReply) => {
    const caller = callerOf(request);
    assertStageTypesAllowed(caller, stageTypes);
    const res = await work.dequeue(
      { stageTypes, workerId: body.workerId, max: body.max, waitMs: body.waitMs, leaseMs: body.leaseMs, tenantId: caller.scope === null ? (body.tenantId ?? null) : tenantForWrite(caller, body.tenantId) },
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

  defineRoute(app, routes.listWorkers, limits, async (_input, request) => {
    const rows = await listWorkers(db, callerOf(request).scope);
    return {
      items: rows.map((w) => ({ id: w.id, tenantId: w.tenant_id, stageTypes: w.stage_types, inFlight: w.in_flight, lastSeenAt: iso(w.last_seen_at), firstSeenAt: iso(w.first_seen_at) })),
    };
  });

  defineRoute(app, routes.getStats, limits, async ({ query }, request) => ctx.stats.stats(callerOf(request).scope ?? query.tenantId ?? null));
}
