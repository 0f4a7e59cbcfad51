// Renders a chart with the Go renderer (a stand-in for `helm template`) and parses the manifests.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { RENDERER_BINARY } from './paths.js';

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: any;
  /** Template file the object came from (the renderer's `# Source:` comment). */
  source: string;
}

export interface RenderOptions {
  /** Values files merged over the chart's values.yaml, in order. */
  valuesFiles?: string[];
  /** Inline values merged last (written to a temporary file, as `-f` would read it). */
  values?: Record<string, unknown>;
  name?: string;
  namespace?: string;
  upgrade?: boolean;
  /** Render templates/NOTES.txt (what `helm install` prints) instead of the manifests. */
  notes?: boolean;
}

/** The renderer's raw output; throws with its stderr when rendering fails. */
export function renderText(chartDir: string, options: RenderOptions = {}): string {
  const args = ['--name', options.name ?? 'jobnik', '--namespace', options.namespace ?? 'jobs'];
  if (options.upgrade) args.push('--upgrade');
  if (options.notes) args.push('--notes');
  for (const f of options.valuesFiles ?? []) args.push('-f', f);
  let tmp: string | undefined;
  if (options.values) {
    tmp = mkdtempSync(join(tmpdir(), 'jobnik-helm-'));
    const file = join(tmp, 'values.json'); // JSON is YAML
    writeFileSync(file, JSON.stringify(options.values));
    args.push('-f', file);
  }
  try {
    return execFileSync(RENDERER_BINARY, [...args, chartDir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    throw new Error(`render failed: ${String((err as { stderr?: string }).stderr ?? err).trim()}`);
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}

/** Renders and parses every document; a YAML error in any of them fails the call. */
export function render(chartDir: string, options: RenderOptions = {}): Manifest[] {
  const chunks = renderText(chartDir, options).split(/^---$/m).filter((c) => c.trim() !== '');
  const manifests: Manifest[] = [];
  for (const chunk of chunks) {
    const source = /^# Source: (.+)$/m.exec(chunk)?.[1] ?? '';
    const doc = parseDocument(chunk, { uniqueKeys: true });
    if (doc.errors.length > 0) throw new Error(`invalid YAML rendered from ${source}: ${doc.errors[0]!.message}\n${chunk}`);
    if (doc.contents === null) continue; // comments only, as kubectl skips them
    manifests.push({ ...(doc.toJSON() as Omit<Manifest, 'source'>), source } as Manifest);
  }
  return manifests;
}

export function byKind(manifests: Manifest[], kind: string): Manifest[] {
  return manifests.filter((m) => m.kind === kind);
}

/** The one object of a kind; fails when there is none or more than one. */
export function one(manifests: Manifest[], kind: string): Manifest {
  const found = byKind(manifests, kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, rendered ${found.length}`);
  return found[0]!;
}

export function kinds(manifests: Manifest[]): string[] {
  return manifests.map((m) => m.kind).sort();
}
