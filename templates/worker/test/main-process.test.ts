// `pnpm start` as a real process: it logs that it started, serves its health port, and on SIGTERM — or a Ctrl-C,
// which under pnpm arrives twice at once — gives its running task back to the manager (not failed) and exits 0
// within the grace period. A start the operator must fix (a bad setting, a taken port) ends in one line, no stack.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { useManagerAndProducer } from './manager-and-producer.js';
import { waitFor } from './helpers/wait-for.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const STAGE = loadConfig({}, {}).worker.stageTypes[0]!;

interface Started {
  proc: ChildProcess;
  lines: string[];
  exited: Promise<number | null>;
}

function startMain(env: Record<string, string>): Started {
  const proc = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'src/main.ts'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let buf = '';
  const onData = (chunk: Buffer) => {
    buf += chunk.toString();
    const parts = buf.split('\n');
    buf = parts.pop() ?? '';
    lines.push(...parts);
  };
  proc.stdout!.on('data', onData);
  proc.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return { proc, lines, exited };
}

/** Runs src/main.ts until it exits by itself; its stderr and exit code. */
async function runToExit(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const proc = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'src/main.ts'], { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'silent', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const deadline = setTimeout(() => proc.kill('SIGKILL'), 30_000);
  const code = await new Promise<number | null>((resolve) => proc.once('close', (c) => resolve(c)));
  clearTimeout(deadline);
  return { code, stderr };
}

function logged(lines: string[], msg: string): Record<string, unknown> | undefined {
  for (const l of lines) {
    try {
      const entry = JSON.parse(l) as Record<string, unknown>;
      if (entry.msg === msg) return entry;
    } catch {
      // not a JSON log line
    }
  }
  return undefined;
}

describe('src/main.ts as a process', () => {
  const f = useManagerAndProducer();

  it.each([
    ['SIGTERM', 'SIGTERM', false],
    ['a Ctrl-C delivered twice (by the terminal, then passed on by pnpm)', 'SIGINT', true],
  ] as const)('starts from the environment and, on %s, releases its running task and exits 0 within the grace', async (_, signal, twice) => {
    const app = startMain({
      JOBNIK_MANAGER_URL: f.manager.url,
      WORKER_HEALTH_PORT: '0',
      WORKER_SHUTDOWN_GRACE_MS: '2000',
      WORKER_WAIT_MS: '1000',
      TILE_WORK_MS: '600000',
      TILE_FAILURE_RATE: '0',
      LOG_LEVEL: 'info',
    });
    try {
      const started = await waitFor(() => logged(app.lines, 'worker started'), { timeoutMs: 30_000, message: `worker started (${app.lines.join('\n')})` });
      expect(started.stageTypes).toEqual(loadConfig({}, {}).worker.stageTypes);
      const health = `http://127.0.0.1:${started.healthPort as number}`;
      await waitFor(async () => (await fetch(`${health}/health/ready`)).status === 200, { message: 'ready' });

      const job = await f.producer.createJob('tile-export', { data: { region: 'sigterm' }, stages: [{ type: STAGE, tasks: [{ data: { x: 1, y: 1, zoom: 1 } }] }] });
      const running = await waitFor(async () => {
        const page = await f.producer.listTasks({ jobId: job.id });
        return page.items.find((t) => t.status === 'IN_PROGRESS');
      }, { message: 'task running' });

      const signalled = Date.now();
      app.proc.kill(signal);
      if (twice) {
        // The copy comes once the first is being handled (two signals at once would merge into one).
        await waitFor(() => logged(app.lines, 'worker stopping'), { message: 'worker stopping' });
        app.proc.kill(signal);
      }
      expect(await app.exited).toBe(0);
      expect(Date.now() - signalled).toBeLessThan(2_000 + 1_500);
      expect(logged(app.lines, 'worker stopped')).toBeDefined();

      const after = (await f.producer.listTasks({ jobId: job.id })).items.find((t) => t.id === running.id)!;
      expect(['PENDING', 'WAITING']).toContain(after.status);
      expect(after.status).not.toBe('FAILED');
    } finally {
      if (app.proc.exitCode === null) app.proc.kill('SIGKILL');
    }
  });
});

describe('src/main.ts refusing to start', () => {
  it('prints one line naming the variable and the key of a bad setting, and exits 2', async () => {
    const { code, stderr } = await runToExit({ WORKER_CONCURRENCY: 'abc', WORKER_HEALTH_PORT: '0' });
    expect(stderr).toBe('worker: invalid configuration: WORKER_CONCURRENCY (worker.concurrency): must be an integer from 1 to 1000: value was "abc"\n');
    expect(code).toBe(2);
  });

  it('prints one line naming the protocol variable of an unsupported OTLP protocol, and exits 2', async () => {
    const { code, stderr } = await runToExit({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', WORKER_HEALTH_PORT: '0' });
    expect(stderr).toBe('worker: invalid configuration: OTEL_EXPORTER_OTLP_PROTOCOL: grpc is not supported: use http/protobuf or http/json\n');
    expect(code).toBe(2);
  });

  it('prints one line naming WORKER_HEALTH_PORT when the health port is taken, and exits 1', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const { code, stderr } = await runToExit({ WORKER_HEALTH_PORT: String(port) });
      expect(stderr).toBe(`worker: cannot start: health port ${port} is already in use by another process (EADDRINUSE): choose another with WORKER_HEALTH_PORT (health.port)\n`);
      expect(code).toBe(1);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});
