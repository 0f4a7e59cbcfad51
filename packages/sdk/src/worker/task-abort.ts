// Why a running handler's ctx.signal aborted, and the error a handler throws to fail a task for good.

export type TaskAbortKind = 'cancelled' | 'suspended' | 'lease_lost' | 'timeout' | 'shutdown';

/** The `ctx.signal.reason` of an aborted handler. `kind` says why; the SDK takes care of the ack. */
export class TaskAbortError extends Error {
  override name = 'TaskAbortError';
  constructor(
    readonly kind: TaskAbortKind,
    message: string,
  ) {
    super(message);
  }
}

/** Throw (or subclass) to fail the task at once, whatever attempts are left. Same as an error with `retryable: false`. */
export class NonRetryableError extends Error {
  override name = 'NonRetryableError';
  readonly retryable = false;
  readonly code: string | undefined;
  constructor(message: string, options?: { code?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = options?.code;
  }
}
