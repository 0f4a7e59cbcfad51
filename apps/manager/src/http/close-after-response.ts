// Shutdown and keep-alive: fastify's close() ends the connections that are idle when it begins, once. A connection
// busy then (an ack in flight, a parked long-poll being answered as the shutdown wakes it) would stay open after its
// response until the client lets it go (its idle timeout: seconds) or the shutdown grace runs out, and close() waits
// for it. So once the shutdown begins, every response says `Connection: close` and its connection ends once written.

import type { FastifyInstance } from 'fastify';

/** Installs the hook; the function it returns marks the start of the shutdown (before parked polls are woken). */
export function closeConnectionsAfterResponses(app: FastifyInstance): () => void {
  let closing = false;
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });
  return () => {
    closing = true;
  };
}
