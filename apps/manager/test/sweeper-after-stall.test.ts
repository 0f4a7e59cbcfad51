// A manager that stood still (SIGSTOP, a paused VM, a long GC) wakes with its sweep overdue and the workers'
// heartbeats waiting in its sockets. Timers run before sockets are read: without care the sweep would count those
// leases as expired first and hand their tasks out again while their workers still run them.
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { testStores, waitFor } from '../src/testing.js';
import { useManager } from './fixtures.js';

/** Blocks this thread (and the manager running in it) as a stopped process is blocked. */
function standStill(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

describe.each(testStores())('the sweeper after the manager stood still (%s)', (store) => {
  const f = useManager(store, { tasks: { sweepIntervalMs: 200 } });

  it('serves the heartbeats that waited before it sweeps: the lease is extended, not taken back', async () => {
    await f.a.post('/jobs', { name: 'stall', stages: [{ type: 'stall', tasks: [{}] }] });
    const task = (await f.a.post('/dequeue', { workerId: 'w', max: 1, stageTypes: ['stall'], leaseMs: 1_000 })).body.tasks[0];
    // The worker's heartbeat reaches the manager's socket; then the manager stands still past the lease.
    const { hostname, port } = new URL(f.m.url);
    const socket = connect(Number(port), hostname);
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    let answer = '';
    socket.on('data', (c: Buffer) => (answer += c.toString()));
    const body = JSON.stringify({ leaseMs: 30_000, tasks: [{ taskId: task.id, leaseToken: task.leaseToken }] });
    socket.write(`POST /workers/w/heartbeat HTTP/1.1\r\nhost: ${hostname}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
    standStill(2_000);

    await waitFor(() => answer.includes('\r\n\r\n{'), { message: 'the heartbeat answered' });
    socket.destroy();
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
    const beat = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { tasks: { taskId: string; directive: string }[] };
    expect(beat.tasks).toEqual([expect.objectContaining({ taskId: task.id, directive: 'continue' })]);
    // A pass runs after the put-off one, and the extended lease stays with its worker.
    await f.m.manager.sweeper.sweepAll();
    expect((await f.a.get(`/tasks/${task.id}`)).body).toMatchObject({ status: 'IN_PROGRESS', attempts: 1 });
  });
});
