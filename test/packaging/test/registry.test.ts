// The published packages as users get them. The packages are built and packed (pnpm pack, as `pnpm release`
// publishes them) and published to a real verdaccio on loopback; then, in temporary folders outside the
// repository: a plain `npm init` app installs @jobnik/sdk and runs the SDK README's producer and worker against
// `npx @jobnik/manager`; TypeScript consumers compile under every moduleResolution; and `create-worker --dir`
// scaffolds a standalone worker repository that installs from the registry, builds, lints and passes its tests.
// Nothing in the repository changes (build output aside, which git ignores).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@jobnik/manager/testing';
import { run, start, userEnv } from '../src/commands.js';
import { codeBlocks } from '../src/readme.js';
import { freePort, startRegistry, type LocalRegistry } from '../src/registry.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PUBLISHED = ['packages/contracts', 'packages/sdk', 'apps/manager'];
const MINUTES = 60_000;

let tmp: string;
let registry: LocalRegistry;
let env: NodeJS.ProcessEnv;
let gitStatusBefore: string;
let packLocal: { stdout: string };
const tarballs: string[] = [];

interface Manifest {
  name: string;
  version: string;
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
}
const manifestOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
const gitStatus = async () => (await run('git', ['status', '--porcelain', '--untracked-files=all'], ROOT, process.env)).stdout;

beforeAll(async () => {
  gitStatusBefore = await gitStatus();
  tmp = mkdtempSync(join(tmpdir(), 'jobnik-registry-'));
  const uplink = (await run('npm', ['config', 'get', 'registry'], tmp, userEnv({}))).stdout.trim() || 'https://registry.npmjs.org/';
  // Build what is published (the manager's build copies the dashboard in) and pack it as `pnpm publish` would:
  // `pnpm pack:local`, which users run to take this checkout's packages outside the repository (into .packs/).
  packLocal = await run('pnpm', ['pack:local'], ROOT, process.env, 10 * MINUTES);
  registry = await startRegistry(join(tmp, 'registry'), uplink);
  // A cache of this run's own: npx keeps what it installed under the cache's _npx, and would otherwise reuse an
  // earlier run's @jobnik packages of the same version (a new manager beside an old contracts).
  env = userEnv({ npm_config_userconfig: registry.npmrc, npm_config_registry: registry.url, npm_config_cache: join(tmp, 'npm-cache') });
  const packs = join(ROOT, '.packs');
  for (const dir of PUBLISHED) {
    const { name, version } = manifestOf(join(ROOT, dir));
    tarballs.push(join(packs, `${name.slice(1).replace('/', '-')}-${version}.tgz`));
  }
  for (const tgz of tarballs) await run('npm', ['publish', tgz, '--access', 'public'], tmp, env);
}, 15 * MINUTES);

afterAll(async () => {
  await registry?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('packed packages', () => {
  it('have no workspace: references, and every path their manifests name is in the tarball', async () => {
    for (const tgz of tarballs) {
      const dir = join(tmp, 'unpacked', tgz.split('/').at(-1)!);
      mkdirSync(dir, { recursive: true });
      await run('tar', ['xzf', tgz, '-C', dir], tmp, env);
      const pkgDir = join(dir, 'package');
      const text = readFileSync(join(pkgDir, 'package.json'), 'utf8');
      expect(text, tgz).not.toContain('workspace:');
      const pkg = JSON.parse(text) as { main: string; types: string; exports: Record<string, string | Record<string, string>>; bin?: Record<string, string> };
      const paths = [pkg.main, pkg.types, ...Object.values(pkg.bin ?? {}), ...Object.values(pkg.exports).flatMap((e) => (typeof e === 'string' ? [e] : Object.values(e)))];
      for (const p of paths) expect(existsSync(join(pkgDir, p)), `${tgz}: ${p}`).toBe(true);
      expect(existsSync(join(pkgDir, 'LICENSE')), `${tgz}: LICENSE`).toBe(true);
      expect(existsSync(join(pkgDir, 'README.md')), `${tgz}: README.md`).toBe(true);
      // Source maps point at sources that ship beside them.
      const maps = readdirSync(join(pkgDir, 'dist')).filter((f) => f.endsWith('.js.map'));
      expect(maps.length).toBeGreaterThan(0);
      for (const m of maps) {
        const { sources } = JSON.parse(readFileSync(join(pkgDir, 'dist', m), 'utf8')) as { sources: string[] };
        for (const s of sources) expect(existsSync(join(pkgDir, 'dist', s)), `${tgz}: ${m} → ${s}`).toBe(true);
      }
    }
  });

  it("install from pnpm pack:local's tarballs as it prints, with no @jobnik package on any registry", async () => {
    // The line it printed for an app, run in a fresh folder against the public registry (no @jobnik there).
    const line = /^An app \(npm\):\s+npm install (.+)$/m.exec(packLocal.stdout)?.[1]?.split(' ') ?? expect.fail(`no npm line in:\n${packLocal.stdout}`);
    expect(line).toEqual(tarballs.slice(0, 2)); // contracts and the SDK
    const app = join(tmp, 'from-packs');
    mkdirSync(app);
    const plain = userEnv({ npm_config_cache: join(tmp, 'npm-cache-packs') });
    await run('npm', ['init', '-y'], app, plain);
    await run('npm', ['install', ...line], app, plain, 10 * MINUTES);
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', "import('@jobnik/sdk').then((m) => console.log(typeof m.ProducerClient, typeof m.WorkerClient))"], app, plain);
    expect(stdout.trim()).toBe('function function');
  });

  it('are on the registry at the versions of their manifests', async () => {
    for (const dir of PUBLISHED) {
      const { name, version } = manifestOf(join(ROOT, dir));
      const { stdout } = await run('npm', ['view', `${name}@${version}`, 'version'], tmp, env);
      expect(stdout.trim()).toBe(version);
    }
  });
});

describe('an npm app outside the repository', () => {
  let app: string;
  beforeAll(async () => {
    app = join(tmp, 'app');
    mkdirSync(app);
    await run('npm', ['init', '-y'], app, env);
    await run('npm', ['pkg', 'set', 'type=module'], app, env);
    await run('npm', ['install', '@jobnik/sdk'], app, env, 10 * MINUTES);
    await run('npm', ['install', '--save-dev', 'typescript@5.9', '@types/node@20', '@jobnik/manager'], app, env, 10 * MINUTES);
  }, 20 * MINUTES);

  it('installs @jobnik/sdk with @opentelemetry/api as a peer', () => {
    const pkg = manifestOf(app);
    expect(pkg.dependencies['@jobnik/sdk']).toMatch(/^\^\d+\.\d+\.\d+$/);
    const sdk = manifestOf(join(app, 'node_modules/@jobnik/sdk'));
    expect(sdk.peerDependencies['@opentelemetry/api']).toBeDefined();
    expect(existsSync(join(app, 'node_modules/@opentelemetry/api/package.json'))).toBe(true);
  });

  it("runs the README's producer and worker against `npx @jobnik/manager` (which serves the dashboard)", async () => {
    // The README's three files, as written.
    const blocks = codeBlocks(join(ROOT, 'packages/sdk/README.md'), 'ts');
    const pick = (needle: string) => blocks.find((b) => b.includes(needle)) ?? expect.fail(`no README block with ${needle}`);
    mkdirSync(join(app, 'src'));
    writeFileSync(join(app, 'src/jobs.ts'), pick('interface TileJobs'));
    writeFileSync(join(app, 'src/producer.ts'), pick('new ProducerClient'));
    writeFileSync(join(app, 'src/worker.ts'), pick('new WorkerClient'));
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'nodenext', moduleResolution: 'nodenext', strict: true, outDir: 'dist', rootDir: 'src', types: ['node'] }, include: ['src'] }),
    );
    await run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], app, env);

    // The manager from the registry, in a folder of its own: embedded PGlite in ./.data by default.
    const serverDir = join(tmp, 'server');
    mkdirSync(serverDir);
    const port = await freePort();
    const manager = start('npx', ['--yes', '@jobnik/manager'], serverDir, { ...env, JOBNIK_HOST: '127.0.0.1', JOBNIK_PORT: String(port), JOBNIK_LOG_LEVEL: 'warn' });
    try {
      const url = `http://127.0.0.1:${port}`;
      await waitFor(() => manager.lines.some((l) => l.startsWith(`Jobnik manager: ${url}`)), { timeoutMs: 8 * MINUTES, intervalMs: 200, message: 'npx @jobnik/manager listening', onTimeout: () => manager.lines.join('\n') });
      const ui = await fetch(`${url}/ui/`);
      expect(ui.status).toBe(200);
      expect(await ui.text()).toContain('<div id="root">');
      expect(existsSync(join(serverDir, '.data/pglite'))).toBe(true);

      const worker = start(process.execPath, ['dist/worker.js'], app, { ...env, JOBNIK_URL: url });
      try {
        await waitFor(() => worker.lines.some((l) => l.includes('started')), { timeoutMs: MINUTES, message: 'worker started', onTimeout: () => worker.lines.join('\n') });
        const { stdout } = await run(process.execPath, ['dist/producer.js'], app, { ...env, JOBNIK_URL: url }, 2 * MINUTES);
        const lines = stdout.trim().split('\n');
        // 60 tasks: more than one page, so the total proves iterateTasks read them all.
        expect(lines.at(-1)).toBe(`COMPLETED: ${256 * ((60 * 61) / 2)} bytes`);
        expect(await worker.stop()).toEqual({ code: 0, signal: null });
      } finally {
        await worker.stop();
      }
    } finally {
      await manager.stop();
    }
    // The manager itself (npx's child) stops on the signal and frees its port.
    await waitFor(() => fetch(`http://127.0.0.1:${port}/health/live`).then(() => false, () => true), { timeoutMs: MINUTES, message: 'manager stopped' });
  }, 15 * MINUTES);
});

// Concurrent: each compile waits mostly on its own tsc process.
describe.concurrent('TypeScript consumers of the published packages', () => {
  // One consumer file: values and types of the SDK (typed by a job map: a wrong payload must be an error, so the
  // types are real and not `any`), error classes, and (where `subpath` is set) a subpath export's types.
  const consumer = (subpath: boolean) => `import { ProducerClient, WorkerClient, NotFoundError } from '@jobnik/sdk';
${subpath ? "import type { startTestManager } from '@jobnik/manager/testing';" : 'declare const startTestManager: () => void;'}

interface Jobs {
  render: { data: { region: string }; stages: { tile: { task: { x: number }; result: { bytes: number } } } };
}

export function typed(producer: ProducerClient<Jobs>, worker: WorkerClient<Jobs>, start: typeof startTestManager): unknown[] {
  worker.handle('tile', async (task) => ({ bytes: task.data.x }));
  // @ts-expect-error task data is typed by the job map
  void producer.createJob('render', { data: { region: 1 }, stages: [] });
  return [producer.createJob('render', { data: { region: 'north' }, stages: [{ type: 'tile', tasks: [{ data: { x: 1 } }] }] }), start];
}

export const isNotFound = (err: unknown): boolean => err instanceof NotFoundError;
console.log(typeof ProducerClient, typeof WorkerClient);
`;
  // `subpath`: node10 finds @jobnik/manager/testing only through typesVersions. `libCheck`: declarations are checked
  // too (slow), proving they name no type package the user lacks (the manager's name @types/convict, its dependency).
  // esModuleInterop as `tsc --init` sets it (zod's own CommonJS declarations need it under node10).
  type Variant = { name: string; type: 'module' | 'commonjs'; module: string; moduleResolution: string; compiles: boolean; subpath?: boolean; libCheck?: boolean };
  const VARIANTS: Variant[] = [
    { name: 'node10-cjs', type: 'commonjs', module: 'commonjs', moduleResolution: 'node10', compiles: true, subpath: true },
    { name: 'node16-esm', type: 'module', module: 'node16', moduleResolution: 'node16', compiles: true },
    // Documented: under `module: node16` TypeScript forbids CommonJS code to import an ES module (TS1479).
    { name: 'node16-cjs', type: 'commonjs', module: 'node16', moduleResolution: 'node16', compiles: false },
    { name: 'nodenext-esm', type: 'module', module: 'nodenext', moduleResolution: 'nodenext', compiles: true, subpath: true, libCheck: true },
    { name: 'nodenext-cjs', type: 'commonjs', module: 'nodenext', moduleResolution: 'nodenext', compiles: true },
    { name: 'bundler', type: 'module', module: 'preserve', moduleResolution: 'bundler', compiles: true },
  ];

  it.each(VARIANTS)('$name: compiles $compiles', async ({ name, type, module, moduleResolution, compiles, subpath = false, libCheck = false }) => {
    const app = join(tmp, 'app');
    const dir = join(app, 'types', name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `consumer-${name}`, private: true, type }));
    writeFileSync(join(dir, 'index.ts'), consumer(subpath));
    const compilerOptions = { target: 'ES2022', module, moduleResolution, strict: true, esModuleInterop: true, skipLibCheck: !libCheck, types: ['node'], outDir: 'out', rootDir: '.' };
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['index.ts'] }));
    const tsc = run(process.execPath, [join(app, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], dir, env);
    if (!compiles) {
      await expect(tsc).rejects.toThrow(/TS1479/);
      return;
    }
    await tsc;
    if (moduleResolution === 'bundler') return; // a bundler's input, not meant for node as emitted
    // The emitted code runs on this Node: CommonJS output require()s the ES module (Node ≥ 20.19).
    const { stdout } = await run(process.execPath, ['out/index.js'], dir, env);
    expect(stdout.trim()).toBe('function function');
  });
});

describe('a standalone worker repository from create-worker', () => {
  it('scaffolds outside the repository, installs from the registry with its own lockfile, builds, lints and passes its tests', async () => {
    const { stdout } = await run(process.execPath, [join(ROOT, 'scripts/create-worker.mjs'), 'tiles', '--stage-type', 'tile-render', '--dir', tmp], tmp, env);
    expect(stdout).toContain('standalone repository');
    const dir = join(tmp, 'tiles');
    const pkgText = readFileSync(join(dir, 'package.json'), 'utf8');
    expect(pkgText).not.toContain('workspace:');
    const pkg = JSON.parse(pkgText) as { dependencies: Record<string, string>; devDependencies: Record<string, string>; scripts: Record<string, string> };
    expect(pkg.dependencies['@jobnik/sdk']).toBe(`^${manifestOf(join(ROOT, 'packages/sdk')).version}`);
    expect(pkg.devDependencies['@jobnik/manager']).toBe(`^${manifestOf(join(ROOT, 'apps/manager')).version}`);
    expect(Object.keys(pkg.scripts)).toEqual(expect.arrayContaining(['build', 'lint', 'typecheck', 'test', 'start']));
    // Its own chart, CI example and Dockerfile; the Dockerfile copies only files of this folder.
    expect(readFileSync(join(dir, 'helm/Chart.yaml'), 'utf8')).toMatch(/^name: tiles$/m);
    expect(existsSync(join(dir, '.github/workflows/ci.yml'))).toBe(true);
    expect(readFileSync(join(dir, 'tsconfig.json'), 'utf8')).not.toContain('../');

    await run('pnpm', ['install', '--registry', registry.url], dir, env, 10 * MINUTES);
    const lock = readFileSync(join(dir, 'pnpm-lock.yaml'), 'utf8');
    expect(lock).toMatch(/'@jobnik\/sdk':\n\s+specifier: \^\d+\.\d+\.\d+\n\s+version: \d+\.\d+\.\d+/);
    const dockerfile = readFileSync(join(dir, 'Dockerfile'), 'utf8');
    const copied = [...dockerfile.matchAll(/^COPY (?!--from)(.+) (\S+)$/gm)].flatMap((m) => m[1]!.split(/\s+/));
    expect(copied.length).toBeGreaterThan(0);
    // A pattern (`pnpm-workspace.yam[l]`) copies a file that may be missing (a repository without overrides); it stays in the folder.
    for (const src of copied) {
      if (/[[*?]/.test(src)) expect(src, `Dockerfile COPY ${src}`).not.toContain('..');
      else expect(existsSync(join(dir, src)), `Dockerfile COPY ${src}`).toBe(true);
    }

    // Its tests on the embedded store (the same tests run on PostgreSQL too inside the repository).
    for (const script of ['build', 'lint', 'typecheck', 'test']) await run('pnpm', ['run', script], dir, { ...env, JOBNIK_TEST_STORES: 'pglite' }, 10 * MINUTES);
    expect(existsSync(join(dir, 'dist/main.js'))).toBe(true);
  }, 30 * MINUTES);
});

describe('the repository', () => {
  it('is unchanged by all of the above (git status as before)', async () => {
    expect(await gitStatus()).toBe(gitStatusBefore);
  });
});
