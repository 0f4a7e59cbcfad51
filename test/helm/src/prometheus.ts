// A real Prometheus (Debian's `prometheus` package, installed by setup.sh) for the autoscaling test: started on a
// free loopback port with a static scrape configuration, queried over its HTTP API, stopped by its process id.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

export interface ScrapeJob {
  name: string;
  targets: string[];
  /** Labels put on every series of these targets, as the Prometheus Operator puts namespace and service. */
  labels: Record<string, string>;
}

export interface Sample {
  metric: Record<string, string>;
  value: number;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** `promtool check rules` on alerting rule groups (a PrometheusRule's spec.groups); returns its output, throws on errors. */
export function promtoolCheckRules(groups: unknown[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'jobnik-rules-'));
  try {
    writeFileSync(join(dir, 'rules.yml'), stringify({ groups }));
    return execFileSync('promtool', ['check', 'rules', join(dir, 'rules.yml')], { encoding: 'utf8' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface Alert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'pending' | 'firing';
  value: string;
}

export class Prometheus {
  private constructor(
    readonly url: string,
    private readonly child: ChildProcess,
    private readonly dir: string,
    private readonly output: string[],
  ) {}

  /**
   * Starts Prometheus scraping `jobs` every `intervalS` seconds, evaluating the alerting rule `groups` (a
   * PrometheusRule's spec.groups) as often; resolves once it answers /-/ready.
   */
  static async start(jobs: ScrapeJob[], intervalS = 1, groups: unknown[] = []): Promise<Prometheus> {
    const dir = mkdtempSync(join(tmpdir(), 'jobnik-prometheus-'));
    const config = {
      global: { scrape_interval: `${intervalS}s`, scrape_timeout: `${intervalS}s`, evaluation_interval: `${intervalS}s` },
      scrape_configs: jobs.map((j) => ({ job_name: j.name, static_configs: [{ targets: j.targets, labels: j.labels }] })),
      ...(groups.length > 0 ? { rule_files: [join(dir, 'rules.yml')] } : {}),
    };
    writeFileSync(join(dir, 'rules.yml'), stringify({ groups }));
    writeFileSync(join(dir, 'prometheus.yml'), stringify(config));
    const port = await freePort();
    const output: string[] = [];
    let child: ChildProcess;
    try {
      child = spawn(
        'prometheus',
        [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    for (const stream of [child.stdout!, child.stderr!]) stream.on('data', (chunk: Buffer) => output.push(String(chunk)));
    const spawned = new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (err) => reject(new Error(`cannot run prometheus (${err.message}); run: sudo bash test/helm/setup.sh`)));
    });
    await spawned;
    const prometheus = new Prometheus(`http://127.0.0.1:${port}`, child, dir, output);
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}: ${output.join('')}`);
      const ready = await fetch(`${prometheus.url}/-/ready`).then((r) => r.ok, () => false);
      if (ready) return prometheus;
      if (Date.now() > deadline) {
        await prometheus.stop();
        throw new Error(`prometheus not ready within 30 s: ${output.join('')}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** An instant query; the samples of its vector result (empty when the result is empty). */
  async query(promql: string): Promise<Sample[]> {
    const res = await fetch(`${this.url}/api/v1/query?${new URLSearchParams({ query: promql })}`);
    const body = (await res.json()) as { status: string; error?: string; data?: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] } };
    if (body.status !== 'success' || body.data?.resultType !== 'vector') throw new Error(`query ${promql} failed: ${body.error ?? JSON.stringify(body)}`);
    return body.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
  }

  /** The single value of a query, or null for an empty result. */
  async value(promql: string): Promise<number | null> {
    const samples = await this.query(promql);
    if (samples.length > 1) throw new Error(`query ${promql} returned ${samples.length} series`);
    return samples[0]?.value ?? null;
  }

  /** The alerts pending or firing now. */
  async alerts(): Promise<Alert[]> {
    const body = (await (await fetch(`${this.url}/api/v1/alerts`)).json()) as { status: string; data: { alerts: Alert[] } };
    if (body.status !== 'success') throw new Error(`alerts failed: ${JSON.stringify(body)}`);
    return body.data.alerts;
  }

  /** The alerts of rule `name` firing now (not pending). */
  async firing(name: string): Promise<Alert[]> {
    return (await this.alerts()).filter((a) => a.labels.alertname === name && a.state === 'firing');
  }

  /** Every loaded rule with its health after its last evaluation ("unknown" before the first). */
  async rules(): Promise<{ name: string; health: string; lastError?: string; lastEvaluation: string }[]> {
    const body = (await (await fetch(`${this.url}/api/v1/rules`)).json()) as { data: { groups: { rules: any[] }[] } };
    return body.data.groups.flatMap((g) => g.rules);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
      this.child.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
