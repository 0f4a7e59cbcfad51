// The combiner on its own (no database): which requests go together, and who hears a failure.
import { describe, expect, it } from 'vitest';
import { CompletionCombiner } from '../src/services/completion-combiner.js';

/** A combiner whose batches wait until the test ends them: what each batch carried, and how to end it. */
function harness(maxInFlight = 1, maxItems = 10) {
  const batches: { scope: string; requests: string[][]; end: (fail?: Error) => void }[] = [];
  const combiner = new CompletionCombiner<string, string, string>({
    maxInFlight,
    maxItems,
    keyOf: (i) => i,
    run: (scope, requests) =>
      new Promise((resolve, reject) => {
        batches.push({ scope, requests, end: (fail) => (fail ? reject(fail) : resolve(requests.map((r) => `${scope}:${r.join('+')}`))) });
      }),
  });
  const settled = <T>(p: Promise<T>) => p.then((v) => ({ ok: v }), (e: Error) => ({ err: e.message }));
  /** Lets the combiner's continuations run (no timing: only promise jobs queued before this one). */
  const flush = () => new Promise<void>((r) => setImmediate(r));
  return { combiner, batches, settled, flush };
}

describe('CompletionCombiner', () => {
  it('runs a request at once when a slot is free, and combines those that arrive while the slots are busy', async () => {
    const { combiner, batches, flush } = harness(1);
    const first = combiner.submit('t', ['a']);
    expect(batches.map((b) => b.requests)).toEqual([[['a']]]);
    const waiting = [combiner.submit('t', ['b', 'c']), combiner.submit('t', ['d'])];
    expect(batches).toHaveLength(1);

    batches[0]!.end();
    expect(await first).toBe('t:a');
    await flush();
    expect(batches.map((b) => b.requests)).toEqual([[['a']], [['b', 'c'], ['d']]]);
    batches[1]!.end();
    expect(await Promise.all(waiting)).toEqual(['t:b+c', 't:d']);
  });

  it('keeps as many batches running as it is allowed, each scope on its own', async () => {
    const { combiner, batches } = harness(2);
    void combiner.submit('t', ['a']);
    void combiner.submit('t', ['b']);
    void combiner.submit('t', ['c']);
    void combiner.submit('u', ['a']);
    expect(batches.map((b) => [b.scope, b.requests])).toEqual([
      ['t', [['a']]],
      ['t', [['b']]],
      ['u', [['a']]],
    ]);
  });

  it('never combines two requests about the same item, nor more items than allowed; a big request still runs alone', async () => {
    const { combiner, batches, flush } = harness(1, 4);
    void combiner.submit('t', ['x']);
    void combiner.submit('t', ['a', 'b']);
    void combiner.submit('t', ['a']); // the same item as the request before: the next batch
    void combiner.submit('t', ['c', 'd', 'e']); // would make 5: the next batch
    void combiner.submit('t', ['f', 'g']);
    void combiner.submit('t', ['1', '2', '3', '4', '5']);
    batches[0]!.end();
    await flush();
    expect(batches[1]!.requests).toEqual([['a', 'b'], ['f', 'g']]);
    batches[1]!.end();
    await flush();
    expect(batches[2]!.requests).toEqual([['a'], ['c', 'd', 'e']]);
    batches[2]!.end();
    await flush();
    expect(batches[3]!.requests).toEqual([['1', '2', '3', '4', '5']]);
  });

  it('runs a failed combined batch again one request at a time, so only the faulty request hears its error', async () => {
    const { combiner, batches, settled, flush } = harness(1);
    void combiner.submit('t', ['x']);
    const answers = [settled(combiner.submit('t', ['a'])), settled(combiner.submit('t', ['bad'])), settled(combiner.submit('t', ['c']))];
    batches[0]!.end();
    await flush();
    batches[1]!.end(new Error('refused'));
    await flush();
    expect(batches.slice(2).map((b) => b.requests)).toEqual([[['a']], [['bad']], [['c']]]);
    batches[2]!.end();
    batches[3]!.end(new Error('bad is refused'));
    batches[4]!.end();
    expect(await Promise.all(answers)).toEqual([{ ok: 't:a' }, { err: 'bad is refused' }, { ok: 't:c' }]);
  });

  it('answers a request that ran alone with its own error, and goes on with the next', async () => {
    const { combiner, batches, settled, flush } = harness(1);
    const failed = settled(combiner.submit('t', ['a']));
    const next = combiner.submit('t', ['b']);
    batches[0]!.end(new Error('down'));
    expect(await failed).toEqual({ err: 'down' });
    await flush();
    batches[1]!.end();
    expect(await next).toBe('t:b');
  });
});
