// Live data by short polling (or, with poll: false, on refresh() only — pages with an event stream): load now, then again `intervalMs` after each answer (never two calls
// at once), paused while the tab is hidden and resumed at once when it shows again.
import { useCallback, useEffect, useRef, useState } from 'react';
import { toApiError, type ApiError } from '../api/api-error.js';
import { useAuth } from './use-auth.js';

export const POLL_INTERVAL_MS = 2000;

export interface Polled<T> {
  /** The last good answer; kept while a later call fails, so a hiccup does not blank the page. */
  data: T | undefined;
  /** The last call's error, cleared by the next success. */
  error: ApiError | undefined;
  /** No answer yet for the current `key`. */
  loading: boolean;
  /** Load again now (after an action), without waiting for the next tick. */
  refresh: () => void;
}

interface State<T> {
  key: string;
  data: T | undefined;
  error: ApiError | undefined;
}

/**
 * Polls `load`. `key` names what is loaded (e.g. the API path): a new key drops the old data and
 * starts over; `load` itself may change on every render. `enabled: false` stops polling.
 */
export function usePolling<T>(key: string, load: (signal: AbortSignal) => Promise<T>, options: { intervalMs?: number; enabled?: boolean; poll?: boolean } = {}): Polled<T> {
  // poll: false loads once and then only on refresh() (a live event stream says when).
  const { intervalMs = POLL_INTERVAL_MS, enabled = true, poll = true } = options;
  const { generation } = useAuth();
  const loadRef = useRef(load);
  loadRef.current = load;
  const [state, setState] = useState<State<T>>({ key, data: undefined, error: undefined });
  const [tick, setTick] = useState(0);

  useEffect(() => {
    if (!enabled) return;
    let disposed = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let inFlight: AbortController | undefined;

    const schedule = () => {
      if (!disposed && !document.hidden && poll) timer = setTimeout(run, intervalMs);
    };
    async function run(): Promise<void> {
      timer = undefined;
      if (disposed || inFlight) return;
      const controller = new AbortController();
      inFlight = controller;
      try {
        const data = await loadRef.current(controller.signal);
        if (!disposed) setState({ key, data, error: undefined });
      } catch (e) {
        if (disposed || controller.signal.aborted) return;
        const error = toApiError(e);
        setState((prev) => ({ key, data: prev.key === key ? prev.data : undefined, error }));
      } finally {
        if (inFlight === controller) inFlight = undefined;
      }
      schedule();
    }
    const onVisibility = () => {
      if (document.hidden) {
        clearTimeout(timer);
        timer = undefined;
      } else if (!timer && !inFlight) {
        void run();
      }
    };

    document.addEventListener('visibilitychange', onVisibility);
    if (!document.hidden) void run(); // a hidden tab loads when it is shown
    return () => {
      disposed = true;
      clearTimeout(timer);
      inFlight?.abort();
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [key, enabled, intervalMs, poll, generation, tick]);

  const refresh = useCallback(() => setTick((t) => t + 1), []);
  const current = state.key === key;
  return {
    data: current ? state.data : undefined,
    error: current ? state.error : undefined,
    loading: !current || (state.data === undefined && state.error === undefined),
    refresh,
  };
}
