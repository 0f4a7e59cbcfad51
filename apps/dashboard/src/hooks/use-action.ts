// Runs one user action (a POST or PATCH) at a time and keeps its error for display.
import { useCallback, useState } from 'react';
import { toApiError, type ApiError } from '../api/api-error.js';

export interface Action {
  pending: boolean;
  error: ApiError | undefined;
  /** Runs `fn`; resolves true on success. Never rejects: a failure lands in `error`. */
  run: (fn: () => Promise<unknown>) => Promise<boolean>;
  clearError: () => void;
}

export function useAction(onDone?: () => void): Action {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  const run = useCallback(
    async (fn: () => Promise<unknown>) => {
      setPending(true);
      setError(undefined);
      try {
        await fn();
        onDone?.();
        return true;
      } catch (e) {
        setError(toApiError(e));
        return false;
      } finally {
        setPending(false);
      }
    },
    [onDone],
  );
  const clearError = useCallback(() => setError(undefined), []);
  return { pending, error, run, clearError };
}
