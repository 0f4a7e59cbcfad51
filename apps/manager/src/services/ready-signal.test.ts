import { describe, expect, it } from 'vitest';
import { ReadySignal } from './ready-signal.js';

/** Whether the promise has settled, without waiting for it (a resolved promise's callback runs in the microtask queue). */
async function settled(p: Promise<void>): Promise<boolean> {
  let done = false;
  void p.then(() => (done = true));
  await Promise.resolve();
  await Promise.resolve();
  return done;
}

describe('ReadySignal', () => {
  it('wakes every plain waiter of a stage type, and one quiet waiter — the longest parked — per signal', async () => {
    const ready = new ReadySignal();
    const plain = [ready.arm(['t']), ready.arm(['t', 'u'])];
    const quiet = [ready.arm(['t'], true), ready.arm(['t'], true), ready.arm(['u'], true)];
    expect(ready.waiting).toBe(6);

    ready.wake(['t']);
    expect(await Promise.all(plain.map((p) => settled(p.woken)))).toEqual([true, true]);
    expect(await Promise.all(quiet.map((q) => settled(q.woken)))).toEqual([true, false, false]);

    // The next signal wakes the next quiet waiter; another type's quiet waiter only on its own type's signal.
    ready.wake(['t']);
    expect(await Promise.all(quiet.map((q) => settled(q.woken)))).toEqual([true, true, false]);
    ready.wake(['u']);
    expect(await settled(quiet[2]!.woken)).toBe(true);
    expect(ready.waiting).toBe(0);
  });

  it('passes over a quiet waiter that disarmed, and wakes every waiter when it stops', async () => {
    const ready = new ReadySignal();
    const gone = ready.arm(['t'], true);
    const next = ready.arm(['t'], true);
    const last = ready.arm(['t'], true);
    gone.disarm();
    ready.wake(['t']);
    expect(await settled(next.woken)).toBe(true);
    expect(await settled(last.woken)).toBe(false);
    await ready.stop();
    expect(await settled(last.woken)).toBe(true);
    expect(ready.waiting).toBe(0);
  });
});
