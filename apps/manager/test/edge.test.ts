// What a client sends is stored as sent or refused with a clear 4xx, and every answer tells the truth about
// what happened to its payload. Real HTTP on both stores; raw sockets where a client library would hide bytes.
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { testStores } from '../src/testing.js';
import { waitFor } from './api.js';
import { useManager } from './fixtures.js';

/** Sends raw bytes as a POST body with the given headers and returns status and body text. */
async function postBytes(url: string, path: string, body: Buffer, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  const r = await fetch(url + path, { method: 'POST', headers, body });
  return { status: r.status, text: await r.text() };
}

/** Writes a request with a body of `size` bytes on a raw socket, all of it, then reads the whole answer. */
function rawUpload(port: number, size: number): Promise<{ answer: string; error: string | null }> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let answer = '';
    let error: string | null = null;
    s.on('data', (d) => (answer += d.toString()));
    s.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
    s.on('close', () => resolve({ answer, error }));
    s.write(`POST /jobs HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${size}\r\n\r\n`);
    const chunk = Buffer.alloc(1024 * 1024, 'a');
    let sent = 0;
    const pump = (): void => {
      while (sent < size) {
        const n = Math.min(chunk.length, size - sent);
        sent += n;
        if (!s.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
          s.once('drain', pump);
          return;
        }
      }
    };
    pump();
  });
}

describe.each(testStores())('the edge on %s', (store) => {
  const fx = useManager(store);

  const jobsNamed = async (name: string) => (await fx.a.get(`/jobs?name=${name}`)).body.items.length;
  const leaseOne = async (type: string) => {
    await fx.a.post('/jobs', { name: 'edge', stages: [{ type, tasks: [{ data: 1 }] }] });
    return (await fx.a.post('/dequeue', { workerId: 'w', max: 1, stageTypes: [type] })).body.tasks[0];
  };

  it('a number beyond float64 is refused with its path, not stored as null; 1e308 is kept', async () => {
    const res = await fx.a.raw('POST', '/jobs', '{"name":"huge","data":{"n":1e400}}');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'NUMBER_OUT_OF_RANGE', errors: [{ path: '/body/data/n' }] });
    expect(await jobsNamed('huge')).toBe(0);
    // Wherever the number ends: before whitespace, a comma, a bracket; beside strings that look like exponents.
    for (const body of ['{"name":"huge","data":{"id":"a3e123f","n": 1E+400 \n}}', '{"name":"huge","data":[2, 9e999,3]}', '{"name":"huge","data":[1e1000]}']) {
      const r = await fx.a.raw('POST', '/jobs', body);
      expect([r.status, r.body.code], body).toEqual([400, 'NUMBER_OUT_OF_RANGE']);
    }
    const ok = await fx.a.raw('POST', '/jobs', '{"name":"big","data":{"n":1e308,"m":-1.7e308}}');
    expect(ok.status).toBe(201);
    expect(ok.body.data).toEqual({ n: 1e308, m: -1.7e308 });
  });

  it('an integer a float64 cannot hold exactly is refused with its path, not rounded; exact ones and strings are kept', async () => {
    const res = await fx.a.raw('POST', '/jobs', '{"name":"inexact","data":{"id":"9007199254740993","ids":[1,9007199254740993]}}');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'NUMBER_OUT_OF_RANGE', errors: [{ path: '/body/data/ids/1' }] });
    expect(res.body.detail).toContain('9007199254740993');
    expect(await jobsNamed('inexact')).toBe(0);
    // 2^53, a power of ten past it and a long fraction are what a float64 reads them as.
    const ok = await fx.a.raw('POST', '/jobs', '{"name":"exact","data":{"a":9007199254740992,"b":100000000000000000000,"c":0.12345678901234567,"id":"9007199254740993"}}');
    expect(ok.status).toBe(201);
    expect(ok.body.data).toEqual({ a: 9007199254740992, b: 1e20, c: Number('0.12345678901234567'), id: '9007199254740993' });
  });

  it('a task result beyond float64 is refused and the task stays running', async () => {
    const t = await leaseOne('edge-result');
    const res = await fx.a.raw('POST', '/tasks/complete', `{"items":[{"taskId":"${t.id}","leaseToken":"${t.leaseToken}","result":{"x":[1,-2e999]}}]}`);
    expect([res.status, res.body.code, res.body.errors?.[0]?.path]).toEqual([400, 'NUMBER_OUT_OF_RANGE', '/body/items/0/result/x/1']);
    expect((await fx.a.get(`/tasks/${t.id}`)).body.status).toBe('IN_PROGRESS');
  });

  it('bytes that are not UTF-8 are refused, not replaced by U+FFFD', async () => {
    const body = Buffer.concat([Buffer.from('{"name":"badutf","data":{"s":"a'), Buffer.from([0xc3, 0x28]), Buffer.from('"}}')]);
    const res = await postBytes(fx.m.url, '/jobs', body, { 'content-type': 'application/json' });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)).toMatchObject({ code: 'INVALID_UTF8' });
    expect(await jobsNamed('badutf')).toBe(0);
  });

  it('a text/plain body is 415; a gzip body is 415 without its bytes echoed; malformed JSON is quoted readably', async () => {
    const plain = await postBytes(fx.m.url, '/jobs', Buffer.from('{"name":"plain"}'), { 'content-type': 'text/plain' });
    expect([plain.status, JSON.parse(plain.text).code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    const gz = await postBytes(fx.m.url, '/jobs', Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff]), { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expect([gz.status, JSON.parse(gz.text).code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    expect(JSON.parse(gz.text).detail).toContain('content-encoding gzip');
    const bad = await postBytes(fx.m.url, '/jobs', Buffer.from([0x7b, 0x01, 0x02, 0x7d]), { 'content-type': 'application/json' });
    const problem = JSON.parse(bad.text);
    expect([bad.status, problem.code]).toEqual([400, 'MALFORMED_JSON']);
    expect(problem.detail).toMatch(/^[\x20-\x7e]*$/);
  });

  it('completing a completed task again with another result answers ALREADY_COMPLETED and keeps the first result', async () => {
    const t = await leaseOne('edge-recomplete');
    const item = (result: unknown) => ({ items: [{ taskId: t.id, leaseToken: t.leaseToken, result }] });
    expect((await fx.a.post('/tasks/complete', item({ v: 1 }))).body.items[0]).toMatchObject({ ok: true, status: 'COMPLETED' });
    // The same completion again (its first answer lost): ok.
    expect((await fx.a.post('/tasks/complete', item({ v: 1 }))).body.items[0]).toMatchObject({ ok: true, status: 'COMPLETED' });
    // Another result: not stored, and the answer says so.
    expect((await fx.a.post('/tasks/complete', item({ v: 2 }))).body.items[0]).toMatchObject({ ok: false, code: 'ALREADY_COMPLETED', status: 'COMPLETED' });
    expect((await fx.a.get(`/tasks/${t.id}`)).body.result).toEqual({ v: 1 });
  });

  it('one lease twice in a batch is refused whole (400 DUPLICATE_ITEM) and nothing is applied', async () => {
    const t = await leaseOne('edge-dup');
    const res = await fx.a.post('/tasks/complete', { items: [{ taskId: t.id, leaseToken: t.leaseToken, result: 1 }, { taskId: t.id, leaseToken: t.leaseToken, result: 2 }] });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'DUPLICATE_ITEM', errors: [{ path: '/body/items/1' }] });
    expect((await fx.a.get(`/tasks/${t.id}`)).body.status).toBe('IN_PROGRESS');
  });

  it('one lease twice in a heartbeat is refused whole (400 DUPLICATE_ITEM): neither progress is recorded', async () => {
    const t = await leaseOne('edge-dup-beat');
    const res = await fx.a.post('/workers/w/heartbeat', { tasks: [{ taskId: t.id, leaseToken: t.leaseToken, progress: 0.2 }, { taskId: t.id, leaseToken: t.leaseToken, progress: 0.9 }] });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'DUPLICATE_ITEM', errors: [{ path: '/body/tasks/1' }] });
    expect((await fx.a.get(`/tasks/${t.id}`)).body).toMatchObject({ status: 'IN_PROGRESS', progress: 0 });
  });

  it('a task completed after a failed attempt no longer shows that attempt\'s error', async () => {
    await fx.a.post('/jobs', { name: 'edge', stages: [{ type: 'edge-err', tasks: [{ maxAttempts: 2, backoff: { baseMs: 0, maxMs: 0, jitter: 0 } }] }] });
    const first = (await fx.a.post('/dequeue', { workerId: 'w', max: 1, stageTypes: ['edge-err'] })).body.tasks[0];
    await fx.a.post('/tasks/fail', { items: [{ taskId: first.id, leaseToken: first.leaseToken, error: { message: 'flaky' } }] });
    expect((await fx.a.get(`/tasks/${first.id}`)).body.error).toMatchObject({ message: 'flaky' });
    const second = (await fx.a.post('/dequeue', { workerId: 'w', max: 1, stageTypes: ['edge-err'], waitMs: 2000 })).body.tasks[0];
    await fx.a.post('/tasks/complete', { items: [{ taskId: second.id, leaseToken: second.leaseToken }] });
    expect((await fx.a.get(`/tasks/${first.id}`)).body).toMatchObject({ status: 'COMPLETED', error: null });
  });

  it('tasks the sweeper takes back count in jobnik_task_transitions_total', async () => {
    const transitions = async () => Number(/^jobnik_task_transitions_total\{status="PENDING"\} (\d+)/m.exec((await fx.a.get<string>('/metrics')).body)?.[1] ?? 0);
    await fx.a.post('/jobs', { name: 'edge', stages: [{ type: 'edge-swept', tasks: [{}] }] });
    const before = await transitions();
    await fx.a.post('/dequeue', { workerId: 'gone', max: 1, stageTypes: ['edge-swept'], leaseMs: 1000 });
    // The lease lapses after 1 s; sweep until the sweeper has taken it back.
    await waitFor(() => fx.m.manager.sweeper.sweepAll(), (t) => t.retried === 1, { timeoutMs: 10_000, everyMs: 100 });
    expect(await transitions()).toBe(before + 1);
  });

  it('a client that really sends 33 MB reads the 413 problem every time (raw socket and fetch)', async () => {
    const port = Number(new URL(fx.m.url).port);
    const size = 33 * 1024 * 1024;
    for (let i = 0; i < 3; i++) {
      const { answer, error } = await rawUpload(port, size);
      expect(error).toBeNull();
      expect(answer).toMatch(/^HTTP\/1\.1 413 /);
      expect(answer).toContain('"code":"PAYLOAD_TOO_LARGE"');
    }
    for (let i = 0; i < 3; i++) {
      const res = await postBytes(fx.m.url, '/jobs', Buffer.alloc(size, 'a'), { 'content-type': 'application/json' });
      expect([res.status, JSON.parse(res.text).code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    }
  });
});
