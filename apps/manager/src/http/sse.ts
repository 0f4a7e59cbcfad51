// Server-sent events framing: takes the response over from fastify, writes `id:` + `data:` frames and a
// comment every 15 s so proxies keep the connection, and tells the caller when the client went away.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { EventStreamQuery } from '@jobnik/contracts';
import { ValidationError } from '../domain/errors.js';

export interface SseChannel {
  send(events: { seq: number }[]): void;
  signal: AbortSignal;
  end(): void;
}

const KEEPALIVE_MS = 15_000;

/**
 * The Last-Event-ID header (a reconnecting EventSource sends back the last `id:` it got), else the lastEventId query
 * parameter. A header that is not such an id is a 400, as the parameter would be: starting from now instead would
 * skip what the client asked to resume after.
 */
export function lastEventIdOf(request: FastifyRequest, fromQuery: number | undefined): number | null {
  const h = request.headers['last-event-id'];
  if (h === undefined) return fromQuery ?? null;
  // The same rule as the lastEventId parameter's.
  const id = EventStreamQuery.shape.lastEventId.safeParse(typeof h === 'string' ? h.trim() : '');
  if (!id.success || id.data === undefined) {
    throw new ValidationError('Last-Event-ID is not an event id of this stream', [{ path: '/headers/last-event-id', message: 'an event id: the digits of an `id:` this stream sent' }]);
  }
  return id.data;
}

export function openSse(reply: FastifyReply): SseChannel {
  const ac = new AbortController();
  reply.hijack();
  const raw = reply.raw;
  const socket = raw.socket;
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    // The socket ends with the stream (a stream is not followed by another request on it).
    connection: 'close',
    'x-accel-buffering': 'no',
  });
  raw.write(': jobnik events\n\n');
  const keepalive = setInterval(() => raw.write(': keepalive\n\n'), KEEPALIVE_MS);
  keepalive.unref();
  // The socket goes with the stream: left open it would hold the server's close until its keep-alive timeout.
  const end = () => {
    clearInterval(keepalive);
    if (!raw.writableEnded) raw.end();
    // end() flushed what was written into the socket's buffer; destroySoon closes it once that is sent.
    socket?.destroySoon();
  };
  raw.once('close', () => {
    ac.abort();
    end();
  });
  return {
    signal: ac.signal,
    send(events) {
      if (raw.writableEnded) return;
      raw.write(events.map((e) => `id: ${e.seq}\ndata: ${JSON.stringify(e)}\n\n`).join(''));
    },
    end,
  };
}
