// Messages between the benchmark and its worker processes (Node IPC).
export type ChildMessage =
  | { type: 'ready' }
  /** Completion times (epoch ms, see report.epochMs) since the last message. */
  | { type: 'completed'; at: number[] }
  | { type: 'error'; message: string };

export type ParentMessage = { type: 'stop' };

/** Buffers completion times and sends them every few ms: IPC per task would cost more than the task. */
export class CompletionReporter {
  private buffer: number[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(everyMs = 20) {
    this.timer = setInterval(() => this.flush(), everyMs);
  }

  record(at: number): void {
    this.buffer.push(at);
  }

  flush(): void {
    if (this.buffer.length === 0) return;
    send({ type: 'completed', at: this.buffer });
    this.buffer = [];
  }

  close(): void {
    clearInterval(this.timer);
    this.flush();
  }
}

export function send(message: ChildMessage): void {
  process.send?.(message);
}

/** Calls stop() when the parent asks (or disconnects), then exits. */
export function onStop(stop: () => Promise<void>): void {
  let stopping = false;
  const run = () => {
    if (stopping) return;
    stopping = true;
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        send({ type: 'error', message: String(err) });
        process.exit(1);
      },
    );
  };
  process.on('message', (m: ParentMessage) => {
    if (m.type === 'stop') run();
  });
  process.on('disconnect', run);
}
