// pnpm bench: every benchmark in turn; each prints JSON lines.
await import('./hot-path.js');
await import('./explain-dequeue.js');
