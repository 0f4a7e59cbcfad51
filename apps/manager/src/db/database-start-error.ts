// The manager could not start on its database — unreachable, refusing it, or a data directory another process holds.
// main.ts prints `message` as the one line an operator reads (exit 1), without a stack trace.
export class DatabaseStartError extends Error {
  override readonly name = 'DatabaseStartError';
}
