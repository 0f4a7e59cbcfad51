// Graceful stop, in order: stop dequeuing; let running handlers finish until the grace runs out; abort
// the rest and release them so another worker takes them at once; deliver every ack; stop the heartbeat
// and directives loops (they keep leases alive and deliver cancels until then); close the pool.
// Never takes (much) longer than graceMs, whatever the handlers do.
import type { Transport } from '../transport/transport.js';
import type { AckBuffer } from './ack-buffer.js';
import type { DequeueLoop } from './dequeue-loop.js';
import type { DirectiveLoop } from './directive-loop.js';
import type { HeartbeatLoop } from './heartbeat-loop.js';
import type { Slots } from './slots.js';
import type { TaskRunner } from './task-runner.js';

export interface ShutdownParts {
  /** The dequeue loops (one per lane). */
  dequeue: Pick<DequeueLoop, 'stop'>;
  slots: Pick<Slots, 'waitForIdle'>;
  runner: TaskRunner;
  acks: AckBuffer;
  heartbeat: HeartbeatLoop;
  directives: DirectiveLoop;
  transport: Transport;
  /** Whether the transport is the worker's own (closed on stop). */
  ownsTransport: boolean;
}

function until(deadline: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now())).unref());
}

/** Time kept back at the end of the grace to release the stragglers and send the last acks. */
function ackReserve(graceMs: number): number {
  return Math.min(2_000, Math.floor(graceMs / 4));
}

export async function shutdown(p: ShutdownParts, graceMs: number): Promise<void> {
  const deadline = Date.now() + graceMs;
  await Promise.race([p.dequeue.stop(), until(deadline)]);
  // Handlers finish and their acks go out (heartbeats keep their leases alive meanwhile).
  const drainBy = deadline - ackReserve(graceMs);
  await Promise.race([p.slots.waitForIdle(), until(drainBy)]);
  p.acks.sendImmediately();
  p.runner.abortAll();
  // Every run now heads for its ack (release for the aborted ones) without waiting on its handler.
  await Promise.race([Promise.allSettled([...p.runner.running]), until(deadline)]);
  await p.acks.drain(deadline);
  await Promise.race([Promise.all([p.heartbeat.stop(), p.directives.stop()]), until(deadline)]);
  if (p.ownsTransport) {
    const left = deadline - Date.now();
    // A graceful close waits for in-flight requests; past the deadline the sockets are simply destroyed.
    if (left > 0) await Promise.race([p.transport.close(), until(deadline)]);
    await p.transport.destroy().catch(() => undefined);
  }
}

export interface SignalHandlerOptions {
  /** Default: the worker's graceMs. */
  graceMs?: number;
  /** Exit the process once stopped (code 0; 1 if stop failed). Default true. */
  exit?: boolean;
  signals?: NodeJS.Signals[];
}

/** On SIGTERM/SIGINT: stop gracefully, then exit. Returns a function that removes the handlers. */
export function installSignalHandlers(stop: (graceMs?: number) => Promise<void>, o: SignalHandlerOptions = {}): () => void {
  const signals = o.signals ?? ['SIGTERM', 'SIGINT'];
  let stopping = false;
  const onSignal = () => {
    if (stopping) return;
    stopping = true;
    stop(o.graceMs).then(
      () => {
        if (o.exit !== false) process.exit(0);
      },
      (err: unknown) => {
        console.error('[jobnik] stop failed', err);
        if (o.exit !== false) process.exit(1);
      },
    );
  };
  for (const s of signals) process.on(s, onSignal);
  return () => {
    for (const s of signals) process.off(s, onSignal);
  };
}
