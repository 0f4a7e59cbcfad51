// `pnpm create-worker` run as users run it (the script, in a child process) into a temporary directory:
// the copy is complete, renamed, carries the chosen stage types, and leaves build output behind; as a workspace
// package (--workspace, the default inside the repository) or as a standalone repository (the default elsewhere).
// test/packaging installs, builds, lints and tests a standalone one against a local registry.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SCRIPT = join(ROOT, 'scripts', 'create-worker.mjs');
const TEMPLATE = join(ROOT, 'templates', 'worker');
const STANDALONE = join(TEMPLATE, 'standalone');
const run = promisify(execFile);

// Build output and tool caches (turbo writes .turbo/ logs into the template) are not part of the template.
function files(dir: string, skip = new Set(['node_modules', 'dist', '.turbo', 'coverage', '.data', 'standalone'])): string[] {
  return readdirSync(dir).flatMap((e) => {
    if (skip.has(e)) return [];
    const p = join(dir, e);
    return statSync(p).isDirectory() ? files(p, skip).map((f) => join(e, f)) : [e];
  });
}

describe('pnpm create-worker', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'jobnik-scaffold-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('copies every template file (not node_modules, dist or caches) and names the package @jobnik/worker-<name>', async () => {
    const { stdout } = await run(process.execPath, [SCRIPT, 'maps', '--dir', dir, '--workspace']);
    expect(stdout).toContain('@jobnik/worker-maps');
    const target = join(dir, 'maps');
    expect(files(target).sort()).toEqual(files(TEMPLATE).sort());
    expect(existsSync(join(target, 'node_modules'))).toBe(false);

    const pkg = JSON.parse(readFileSync(join(target, 'package.json'), 'utf8'));
    expect(pkg.name).toBe('@jobnik/worker-maps');
    expect(pkg.private).toBe(true);
    expect(pkg.dependencies['@jobnik/sdk']).toBe('workspace:*');
    expect(pkg.scripts).toEqual(JSON.parse(readFileSync(join(TEMPLATE, 'package.json'), 'utf8')).scripts);
    // Without --stage-type the template's stage types stay.
    expect(readFileSync(join(target, 'src/config.ts'), 'utf8')).toContain("default: ['tile-render', 'tile-upload', 'tile-index']");
    for (const f of files(target)) {
      const text = readFileSync(join(target, f), 'utf8');
      expect(text, f).not.toContain('@jobnik/worker-template');
      expect(text, f).not.toContain('jobnik-worker');
    }
    // Code is copied byte for byte apart from the renames.
    expect(readFileSync(join(target, 'src/handlers/tile-handler.ts'), 'utf8')).toBe(readFileSync(join(TEMPLATE, 'src/handlers/tile-handler.ts'), 'utf8'));
  });

  it('sets the default stage types and renames the chart', async () => {
    await run(process.execPath, [SCRIPT, 'ortho', '--stage-type', 'ortho-render', '--stage-type', 'ortho-merge', '--dir', dir, '--workspace']);
    const target = join(dir, 'ortho');
    const config = readFileSync(join(target, 'src/config.ts'), 'utf8');
    expect(config).toContain("default: ['ortho-render', 'ortho-merge']");
    expect(config).not.toContain('tile-upload');
    expect(readFileSync(join(target, 'README.md'), 'utf8')).toContain('`ortho-render,ortho-merge`');
    expect(readFileSync(join(target, 'README.md'), 'utf8')).toMatch(/^# ortho: a Jobnik worker$/m);
    expect(readFileSync(join(target, 'src/container.ts'), 'utf8')).toContain("name: 'ortho'");
    // The chart is the worker's own: its name, helpers and image, and KEDA scales on the new stage types.
    expect(readFileSync(join(TEMPLATE, 'helm', 'Chart.yaml'), 'utf8')).toMatch(/^name: jobnik-worker$/m);
    expect(readFileSync(join(target, 'helm', 'Chart.yaml'), 'utf8')).toMatch(/^name: ortho$/m);
    const values = readFileSync(join(target, 'helm', 'values.yaml'), 'utf8');
    expect(values).toMatch(/^ {2}repository: jobnik\/ortho$/m);
    expect(values).toMatch(/^ {2}stageTypes: \["ortho-render", "ortho-merge"\]$/m);
    const helpers = readFileSync(join(target, 'helm', 'templates', '_helpers.tpl'), 'utf8');
    expect(helpers).toContain('define "ortho.fullname"');
    expect(readFileSync(join(target, 'helm', 'templates', 'deployment.yaml'), 'utf8')).toContain('include "ortho.fullname" .');
    // The Dockerfile builds this package from its own directory (the repository root is the context).
    const dockerfile = readFileSync(join(target, 'Dockerfile'), 'utf8');
    expect(dockerfile).toContain('pnpm --filter-prod "@jobnik/worker-ortho..." run build');
    expect(dockerfile).toContain('-f workers/ortho/Dockerfile');
    expect(dockerfile).not.toContain('templates/worker');
  });

  it('outside the repository makes a standalone repository: published ranges, its own tooling, Dockerfile and CI', async () => {
    const { stdout } = await run(process.execPath, [SCRIPT, 'solo', '--stage-type', 'solo-render', '--dir', dir]);
    expect(stdout).toContain('a standalone repository');
    const target = join(dir, 'solo');
    const overlay = [...files(STANDALONE).map((f) => (f === 'gitignore' ? '.gitignore' : f)), 'eslint.config.js'];
    expect(files(target).sort()).toEqual([...new Set([...files(TEMPLATE), ...overlay])].sort());

    const text = readFileSync(join(target, 'package.json'), 'utf8');
    expect(text).not.toContain('workspace:');
    const pkg = JSON.parse(text);
    expect(pkg.exports['.']).toEqual({ types: './dist/index.d.ts', default: './dist/index.js' });
    const version = (p: string) => JSON.parse(readFileSync(join(ROOT, p, 'package.json'), 'utf8')).version;
    expect(pkg.dependencies['@jobnik/sdk']).toBe(`^${version('packages/sdk')}`);
    expect(pkg.devDependencies['@jobnik/manager']).toBe(`^${version('apps/manager')}`);
    expect(pkg.devDependencies).toMatchObject({ typescript: expect.any(String), eslint: expect.any(String), 'typescript-eslint': expect.any(String) });
    expect(pkg.scripts).toMatchObject({ lint: 'eslint .', start: 'exec node --import tsx src/main.ts', build: expect.any(String), test: 'vitest run' });
    expect(pkg.packageManager).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).packageManager);
    expect(pkg.pnpm).toEqual({ onlyBuiltDependencies: ['esbuild'] }); // tsx's esbuild installs without a prompt

    // Nothing points back into the Jobnik repository.
    for (const f of files(target)) expect(readFileSync(join(target, f), 'utf8'), f).not.toMatch(/\.\.\/\.\.\/|templates\/worker|workers\/solo|--conditions=source/);
    const dockerfile = readFileSync(join(target, 'Dockerfile'), 'utf8');
    expect(dockerfile).toContain('docker build -t registry.example/solo:0.1.0 .');
    // What the install reads, vendored @jobnik tarballs and their overrides included, is in the build context.
    expect(dockerfile).toContain('COPY pnpm-lock.yaml pnpm-workspace.yam[l] ./\nCOPY vendor ./vendor\nRUN pnpm install --frozen-lockfile');
    expect(existsSync(join(target, 'vendor', 'README.md'))).toBe(true);
    expect(readFileSync(join(target, 'helm', 'Chart.yaml'), 'utf8')).toMatch(/^name: solo$/m);
    expect(readFileSync(join(target, 'src/config.ts'), 'utf8')).toContain("default: ['solo-render']");
    const readme = readFileSync(join(target, 'README.md'), 'utf8');
    expect(readme).toMatch(/^# solo: a Jobnik worker\n[\s\S]*\n## This repository\n[\s\S]*\n## Configuration/);
    // What holds only inside the Jobnik repository is left out: its workspace Dockerfile, the steps from a clone.
    expect(readme).not.toMatch(/turbo prune|pnpm deploy|## From clone to a running worker|workspace-only|pnpm --filter/);
    expect(readme).toContain('pnpm prune --prod');
    // Nothing speaks of the Jobnik workspace (its chart tests, its demo, the scaffold that made this copy).
    for (const f of files(target)) {
      const body = readFileSync(join(target, f), 'utf8');
      expect(body, f).not.toMatch(/workspace-only|test\/helm|helm-tests|create-worker|in the workspace|the demo\b/);
    }
    expect(readme).toContain('file:vendor/jobnik-sdk-');
  });

  it('tells a standalone repository what to do while @jobnik is on no registry: pnpm pack:local and its overrides', async () => {
    const { stdout } = await run(process.execPath, [SCRIPT, 'hint', '--dir', dir]);
    const target = join(dir, 'hint');
    expect(stdout).toContain(`next: cd ${target} && pnpm install && pnpm test`);
    expect(stdout).toContain(`run \`pnpm pack:local\` in ${ROOT.replace(/\/$/, '')}`);
    expect(stdout).toContain(`overrides: it prints into ${join(target, 'pnpm-workspace.yaml')}`);
    expect(stdout.trim().split('\n')).toHaveLength(4);
    // Inside the repository the workspace installs the packages itself: no such hint.
    const { stdout: inside } = await run(process.execPath, [SCRIPT, 'hint2', '--dir', dir, '--workspace']);
    expect(inside).not.toContain('pack:local');
  });

  it('refuses bad names and an existing target, changing nothing', async () => {
    await expect(run(process.execPath, [SCRIPT, 'Bad_Name', '--dir', dir])).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('worker name') });
    await expect(run(process.execPath, [SCRIPT, 'ok-name', '--stage-type', 'bad type', '--dir', dir])).rejects.toMatchObject({ code: 1 });
    expect(readdirSync(dir)).toEqual([]);
    await run(process.execPath, [SCRIPT, 'twice', '--dir', dir]);
    await expect(run(process.execPath, [SCRIPT, 'twice', '--dir', dir])).rejects.toMatchObject({ stderr: expect.stringContaining('already exists') });
    await expect(run(process.execPath, [SCRIPT, '--dir', dir])).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('usage') });
  });
});
