// Long-poll plumbing: a signal that aborts when the client goes away before its answer is sent, so the
// manager stops waiting for nobody.
import type { FastifyReply } from 'fastify';

export function disconnectSignal(reply: FastifyReply): AbortSignal {
  const ac = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableEnded) ac.abort();
  });
  return ac.signal;
}
