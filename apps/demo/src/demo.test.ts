// The quick-start demo end to end on an ephemeral port: it prints where to look, the job completes with
// every stage at 100%, and the manager stays up for browsing until the demo is stopped.
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_STAGES, runDemo, type Demo } from './demo.js';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

describe('quick-start demo', () => {
  let demo: Demo | undefined;
  afterAll(async () => {
    await demo?.stop();
  });

  it('runs the tile-export job to completion, draws its stages and keeps serving the dashboard', async () => {
    const out = new Capture();
    demo = await runDemo({ port: 0, dataDir: 'memory://', tasksPerStage: 24, tileWorkMs: 2, retryBaseMs: 20, out, refreshMs: 50 });
    const url = demo.managerUrl;
    // The dashboard line tells the truth: its URL when the dashboard is built, how to build it otherwise.
    const dashboardBuilt = (await fetch(`${url}/ui/`)).status === 200;
    expect(out.text).toContain(dashboardBuilt ? `Dashboard        ${url}/ui/` : 'Dashboard        not built: run `pnpm --filter @jobnik/dashboard build`');
    expect(out.text).toContain(`API docs         ${url}/docs`);

    const job = await Promise.race([
      demo.done,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`job not done in time; output so far:\n${out.text}`)), 45_000).unref()),
    ]);
    expect(job.status).toBe('COMPLETED');
    expect(job.stages.map((s) => s.type)).toEqual([...DEMO_STAGES]);
    for (const s of job.stages) expect(s).toMatchObject({ status: 'COMPLETED', percentage: 100, summary: { completed: 24, total: 24 } });

    // Each stage's bar was drawn, ending full.
    for (const type of DEMO_STAGES) expect(out.text).toMatch(new RegExp(`${type} +█{30} 100% +24/24`));
    expect(out.text).toContain(`Job COMPLETED in`);
    expect(out.text).toContain(`${url}/ui/jobs/${job.id}`);

    // Still up after the job: the API (and the dashboard, when built) answer.
    expect((await fetch(`${url}/health/ready`)).status).toBe(200);
    expect((await fetch(`${url}/jobs/${job.id}`)).status).toBe(200);
    expect((await fetch(`${url}/ui/`)).status).toBe(dashboardBuilt ? 200 : 404);

    await demo.stop();
    demo = undefined;
    await expect(fetch(`${url}/health/live`)).rejects.toThrow();
  });
});
