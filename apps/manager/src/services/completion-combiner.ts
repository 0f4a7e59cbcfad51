// Concurrent completions of one tenant scope, committed as one statement. Workers acknowledge in small batches (the
// SDK's default is a flush every 5 ms of what its 4 handlers finished), and each of those paid a whole statement, a
// commit and its stage counters row's lock for a handful of tasks. Here at most MAX_IN_FLIGHT batches of a scope run at
// once; the requests that arrive meanwhile wait for one of them to end and then go together, as one batch. A request
// that finds a free slot starts at once, so an idle manager adds no wait.

/** One waiting request: its items, and how to answer it. */
interface Waiting<I, R> {
  items: I[];
  keys: string[];
  resolve(answer: R): void;
  reject(err: unknown): void;
}

export interface CombinerOptions<S, I, R> {
  /** Batches of one scope running at once. */
  maxInFlight: number;
  /** Items one combined batch may carry (a request is never split; one over this still runs, alone). */
  maxItems: number;
  /** An item's identity: requests sharing one are never combined (their answers would depend on each other). */
  keyOf(item: I): string;
  /** Runs a batch of requests of one scope as one: one answer per request, in order. */
  run(scope: S, requests: I[][]): Promise<R[]>;
}

export class CompletionCombiner<S, I, R> {
  /** By scope (as JSON): its requests waiting, and its batches running. */
  private readonly scopes = new Map<string, { scope: S; waiting: Waiting<I, R>[]; inFlight: number }>();

  constructor(private readonly options: CombinerOptions<S, I, R>) {}

  /** Runs `items` (one request) with whatever else of `scope` is waiting. */
  submit(scope: S, items: I[]): Promise<R> {
    const key = JSON.stringify(scope) ?? '';
    let group = this.scopes.get(key);
    if (!group) this.scopes.set(key, (group = { scope, waiting: [], inFlight: 0 }));
    const promise = new Promise<R>((resolve, reject) => {
      group.waiting.push({ items, keys: items.map((i) => this.options.keyOf(i)), resolve, reject });
    });
    this.pump(key);
    return promise;
  }

  private pump(key: string): void {
    const group = this.scopes.get(key);
    if (!group) return;
    while (group.inFlight < this.options.maxInFlight) {
      const batch = this.take(group.waiting);
      if (batch.length === 0) break;
      group.inFlight++;
      void this.runBatch(group.scope, batch).finally(() => {
        group.inFlight--;
        this.pump(key);
      });
    }
    if (group.inFlight === 0 && group.waiting.length === 0) this.scopes.delete(key);
  }

  /** The next batch of a scope (taken out of `queue`): waiting requests in arrival order, while they fit and share no item. */
  private take(queue: Waiting<I, R>[]): Waiting<I, R>[] {
    const batch: Waiting<I, R>[] = [];
    const seen = new Set<string>();
    let size = 0;
    const rest: Waiting<I, R>[] = [];
    for (const w of queue) {
      const fits = batch.length === 0 || (size + w.items.length <= this.options.maxItems && !w.keys.some((k) => seen.has(k)));
      if (!fits) {
        rest.push(w);
        continue;
      }
      batch.push(w);
      size += w.items.length;
      for (const k of w.keys) seen.add(k);
    }
    queue.splice(0, queue.length, ...rest);
    return batch;
  }

  /**
   * A combined batch that fails is run again one request at a time, so that one request's fault (a result the
   * database refuses, say) is answered to that request alone; a batch of one answers its own error.
   */
  private async runBatch(scope: S, batch: Waiting<I, R>[]): Promise<void> {
    try {
      const answers = await this.options.run(scope, batch.map((w) => w.items));
      batch.forEach((w, n) => w.resolve(answers[n]!));
    } catch (err) {
      if (batch.length === 1) {
        batch[0]!.reject(err);
        return;
      }
      await Promise.all(
        batch.map(async (w) => {
          try {
            const [answer] = await this.options.run(scope, [w.items]);
            w.resolve(answer!);
          } catch (own) {
            w.reject(own);
          }
        }),
      );
    }
  }
}
