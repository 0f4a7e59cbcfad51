// The README's producer and worker, run as written (as processes) against a real manager; and the README
// embeds exactly these files.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestManager, type TestManager, waitFor } from '@jobnik/manager/testing';
import { spawnScript } from '../test/helpers/child-worker.js';

const file = (name: string) => fileURLToPath(new URL(name, import.meta.url));

describe('README examples', () => {
  let manager: TestManager;
  beforeAll(async () => {
    manager = await startTestManager({ store: 'pglite' });
  });
  afterAll(async () => {
    await manager?.close();
  });

  it('the README shows the example files verbatim', () => {
    const readme = readFileSync(file('../README.md'), 'utf8');
    for (const name of ['jobs.ts', 'producer.ts', 'worker.ts', 'held-stage.ts']) expect(readme).toContain(readFileSync(file(name), 'utf8').trim());
  });

  it('the worker and the producer run as written: the job completes and the worker exits cleanly on SIGTERM', async () => {
    const env = { JOBNIK_URL: manager.url };
    const worker = spawnScript(file('worker.ts'), env);
    try {
      await waitFor(() => worker.output.some((l) => l.includes('started')), { timeoutMs: 20_000, message: `worker started (${worker.stderr()})` });
      const producer = spawnScript(file('producer.ts'), env);
      const exit = await producer.exited;
      expect(exit.code, producer.stderr()).toBe(0);
      // 60 tasks: more than one page of listTasks (50), so the total proves every page was read.
      expect(producer.output.at(-1)).toBe(`COMPLETED: ${256 * ((60 * 61) / 2)} bytes`);
      expect(producer.output).toContain('COMPLETED 100%');
      worker.proc.kill('SIGTERM');
      expect((await worker.exited).code).toBe(0);
    } finally {
      if (worker.proc.exitCode === null) worker.proc.kill('SIGKILL');
    }
  });

  it('the held stage runs as written: its 300 tasks added in chunks, then released', async () => {
    const producer = spawnScript(file('held-stage.ts'), { JOBNIK_URL: manager.url });
    const exit = await producer.exited;
    expect(exit.code, producer.stderr()).toBe(0);
    const stageId = /^released (\S+)$/.exec(producer.output.at(-1) ?? '')?.[1];
    const stage = (await (await fetch(`${manager.url}/stages/${stageId}`)).json()) as { held: boolean; summary: { total: number } };
    expect(stage).toMatchObject({ held: false, summary: { total: 300 } });
  });
});
