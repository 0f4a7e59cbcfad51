// A server-sent events client for tests: fetch with a streamed body, frames parsed as they arrive.
export interface SseEvent {
  id: number;
  data: any;
}

export interface SseStream {
  status: number;
  events: SseEvent[];
  close(): void;
}

export async function openStream(url: string, headers: Record<string, string> = {}): Promise<SseStream> {
  const ac = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: ac.signal });
  const events: SseEvent[] = [];
  if (res.ok && res.body) {
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buf = '';
    void (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          buf += decoder.decode(value, { stream: true });
          for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
            const frame = buf.slice(0, i);
            buf = buf.slice(i + 2);
            const data = /^data: (.*)$/m.exec(frame)?.[1];
            if (data !== undefined) events.push({ id: Number(/^id: (.*)$/m.exec(frame)?.[1]), data: JSON.parse(data) });
          }
        }
      } catch {
        // closed
      }
    })();
  } else {
    await res.body?.cancel();
  }
  return { status: res.status, events, close: () => ac.abort() };
}
