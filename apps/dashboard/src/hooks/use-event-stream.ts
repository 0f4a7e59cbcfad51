// Live updates by server-sent events: reads the manager's event stream (GET /events or /jobs/{id}/events)
// with fetch, so the stored API key goes along as a header, and calls `onEvent` for each change. `live` is
// true while the stream is open; when it cannot be opened or breaks, it is false (pages then poll) and the
// stream is opened again, resuming after the last event seen.
import { createContext, useEffect, useRef, useState } from 'react';
import { authStore } from '../api/auth-store.js';
import { useAuth } from './use-auth.js';

export interface StreamEvent {
  seq: number;
  kind: 'job' | 'stage' | 'attempt';
  jobId: string;
  stageId: string | null;
  taskId: string | null;
  to: string;
}

const RECONNECT_MS = 3000;

/** What a page's live stream tells the components under it: whether it is open, and a count of the events seen. */
export const LiveContext = createContext<{ live: boolean; version: number }>({ live: false, version: 0 });

export function useEventStream(path: string | null, onEvent: (e: StreamEvent) => void): { live: boolean; version: number } {
  const { generation } = useAuth();
  const onEventRef = useRef(onEvent);
  onEventRef.current = onEvent;
  const [live, setLive] = useState(false);
  const [version, setVersion] = useState(0);

  useEffect(() => {
    if (!path) return;
    const controller = new AbortController();
    let lastId: number | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;

    async function connect(): Promise<void> {
      const apiKey = authStore.get().apiKey;
      const headers: Record<string, string> = { accept: 'text/event-stream' };
      if (apiKey) headers['x-api-key'] = apiKey;
      if (lastId !== null) headers['last-event-id'] = String(lastId);
      try {
        const res = await fetch(path!, { headers, cache: 'no-store', credentials: 'same-origin', signal: controller.signal });
        if (!res.ok || !res.body) {
          await res.body?.cancel();
          throw new Error(`event stream answered ${res.status}`);
        }
        setLive(true);
        const reader = res.body.getReader();
        const decoder = new TextDecoder();
        let buf = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += decoder.decode(value, { stream: true });
          for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
            const frame = buf.slice(0, i);
            buf = buf.slice(i + 2);
            const data = /^data: (.*)$/m.exec(frame)?.[1];
            if (data === undefined) continue;
            const event = JSON.parse(data) as StreamEvent;
            lastId = event.seq;
            onEventRef.current(event);
            setVersion((v) => v + 1);
          }
        }
      } catch {
        // broken or refused: poll meanwhile, then try again
      }
      if (controller.signal.aborted) return;
      setLive(false);
      retry = setTimeout(() => void connect(), RECONNECT_MS);
    }

    void connect();
    return () => {
      controller.abort();
      clearTimeout(retry);
      setLive(false);
    };
  }, [path, generation]);

  return { live, version };
}
