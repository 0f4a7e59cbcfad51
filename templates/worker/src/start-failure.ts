// Why the worker could not start, as the one line an operator reads and the exit code — for the failures that are
// theirs to fix (a setting, the health port) — or null for anything else, whose stack trace is for us (a bug).
import { ConfigError } from './config.js';
import { HealthPortError } from './health-server.js';

export interface StartFailure {
  line: string;
  /** 2: the configuration is wrong (fix it, retrying alone cannot help); 1: anything else. */
  exitCode: number;
}

export function startFailure(err: unknown): StartFailure | null {
  if (err instanceof ConfigError) return { line: `worker: invalid configuration: ${err.message}`, exitCode: 2 };
  if (err instanceof HealthPortError) return { line: `worker: cannot start: ${err.message}`, exitCode: 1 };
  return null;
}
