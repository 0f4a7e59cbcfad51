// /events and /jobs/{id}/events: the history as server-sent events, scoped to the caller's tenant.
import { routes } from '@jobnik/contracts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { callerOf } from '../http/caller.js';
import { defineRoute } from '../http/define-route.js';
import { lastEventIdOf, openSse } from '../http/sse.js';
import type { StreamFilter } from '../services/event-stream-service.js';
import type { RouteContext } from './context.js';

export function eventRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { events, limits } = ctx;

  const serve = async (request: FastifyRequest, reply: FastifyReply, filter: StreamFilter, after: number | null) => {
    await events.check(filter);
    const channel = openSse(reply);
    try {
      await events.stream(filter, after, channel);
    } finally {
      channel.end();
    }
  };

  defineRoute(app, routes.streamEvents, limits, async ({ query }, request, reply) =>
    serve(request, reply, { scope: callerOf(request).scope, jobId: null }, lastEventIdOf(request, query.lastEventId)),
  );
  defineRoute(app, routes.streamJobEvents, limits, async ({ params, query }, request, reply) =>
    serve(request, reply, { scope: callerOf(request).scope, jobId: params.jobId }, lastEventIdOf(request, query.lastEventId)),
  );
}
