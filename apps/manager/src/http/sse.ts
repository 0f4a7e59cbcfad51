// Server-sent events framing: takes the response over from fastify, writes `id:` + `data:` frames and a
// comment every 15 s so proxies keep the connection, and tells the caller when the client went away.
import type { FastifyReply, FastifyRequest } from 'fastify';

export interface SseChannel {
  send(events: { seq: number }[]): void;
  signal: AbortSignal;
  end(): void;
}

const KEEPALIVE_MS = 15_000;

/** The Last-Event-ID header (a reconnecting EventSource sends it), else the lastEventId query parameter. */
export function lastEventIdOf(request: FastifyRequest, fromQuery: number | undefined): number | null {
  const h = request.headers['last-event-id'];
  if (typeof h === 'string' && /^\d+$/.test(h.trim())) return Number(h.trim());
  return fromQuery ?? null;
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
