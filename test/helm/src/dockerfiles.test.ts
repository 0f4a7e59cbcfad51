// The images the charts run (no Docker daemon here to build them): each Dockerfile installs only its package's
// slice of the workspace (`turbo prune --docker`), builds it and deploys its production dependencies, runs as a
// non-root user under tini without a HEALTHCHECK, is labelled (OCI) and pinnable by digest, and starts a file the
// build produces. The manager image leaves the embedded store and the dashboard's React sources out.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './paths.js';
import { dockerUser, source } from './sources.js';

interface Pkg {
  name: string;
  version: string;
  license?: string;
  scripts?: Record<string, string>;
  bin?: Record<string, string>;
  files?: string[];
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const pkgOf = (dir: string) => JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as Pkg;
const tsOutDir = (dir: string) => JSON.parse(readFileSync(join(ROOT, dir, 'tsconfig.build.json'), 'utf8')).compilerOptions as { rootDir: string; outDir: string };

/** The stages of a Dockerfile: the text from each FROM to the next. */
function stages(dockerfile: string): { from: string; name?: string; text: string }[] {
  const parts = dockerfile.split(/^(?=FROM )/m).slice(1);
  return parts.map((text) => {
    const [, from, name] = /^FROM (\S+)(?: AS (\S+))?/.exec(text)!;
    return { from: from!, ...(name ? { name } : {}), text };
  });
}

/** The JSON-array form of an instruction (ENTRYPOINT, CMD) in the final stage. */
function execForm(dockerfile: string, instruction: string): string[] {
  const line = new RegExp(`^${instruction} (\\[.*\\])$`, 'm').exec(stages(dockerfile).at(-1)!.text);
  if (!line) throw new Error(`no ${instruction} in the final stage`);
  return JSON.parse(line[1]!) as string[];
}

describe.each([
  ['apps/manager', 'jobnik-manager', ['serve']],
  ['templates/worker', 'jobnik-worker', undefined],
])('%s/Dockerfile', (dir, title, cmd) => {
  const dockerfile = source(`${dir}/Dockerfile`);
  const pkg = pkgOf(dir);
  const all = stages(dockerfile);
  const final = all.at(-1)!;

  it('builds every stage on one base image, node:20-slim by default and pinnable by digest', () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:20-slim$/m);
    expect(dockerfile.indexOf('ARG NODE_IMAGE=')).toBeLessThan(dockerfile.indexOf('\nFROM '));
    // Every stage starts from the base or from an earlier stage.
    const names = new Set<string>();
    for (const s of all) {
      expect(['${NODE_IMAGE}', ...names], s.text.split('\n')[0]).toContain(s.from);
      if (s.name) names.add(s.name);
    }
    expect(final.from).toBe('${NODE_IMAGE}');
    expect(all.length).toBeGreaterThanOrEqual(3);
  });

  it('installs only its package’s slice of the workspace, from a pruned lockfile', () => {
    const prune = all.find((s) => s.text.includes(' prune '))!;
    expect(prune.text).toContain(`prune ${pkg.name} --docker`);
    expect(prune.text).toMatch(/turbo@\$\(node -p 'require\("\.\/package\.json"\)\.devDependencies\.turbo'\)/);
    const build = all.find((s) => s.text.includes('pnpm install'))!;
    expect(build).not.toBe(prune);
    // The build stage never sees the whole repository: the pruned manifests before the install, the pruned sources after.
    expect(build.text).not.toMatch(/^COPY \. /m);
    const install = build.text.indexOf('pnpm install --frozen-lockfile');
    expect(build.text.indexOf('COPY --from=prune /repo/out/json/ ./')).toBeLessThan(install);
    expect(build.text.indexOf('COPY --from=prune /repo/out/full/ ./')).toBeGreaterThan(install);
    // The package and the workspace packages it needs (the manager also its dev dependency the dashboard, whose build it ships at /ui).
    expect(build.text).toMatch(new RegExp(`^RUN pnpm --filter(-prod)? "${pkg.name.replace('/', '\\/')}\\.\\.\\." run build$`, 'm'));
    expect(build.text).toMatch(new RegExp(`^RUN pnpm --filter ${pkg.name} --prod (--no-optional )?deploy --legacy /out$`, 'm'));
  });

  it('runs under tini from Debian, as a non-root user, without a HEALTHCHECK', () => {
    expect(final.text).toMatch(/apt-get install -y --no-install-recommends tini/);
    expect(final.text).toContain('rm -rf /var/lib/apt/lists/*');
    expect(execForm(dockerfile, 'ENTRYPOINT').slice(0, 3)).toEqual(['/usr/bin/tini', '--', 'node']);
    expect(dockerUser(`${dir}/Dockerfile`).uid).toBeGreaterThan(0);
    expect(dockerfile).not.toMatch(/^HEALTHCHECK/m);
  });

  it('carries the OCI labels, with the package’s version and license as defaults', () => {
    const label = (key: string) => new RegExp(`org\\.opencontainers\\.image\\.${key}="([^"]*)"`).exec(final.text)?.[1];
    expect(label('title')).toBe(title);
    expect(label('licenses')).toBe(pkg.license);
    expect(label('version')).toBe('${VERSION}');
    expect(final.text).toContain(`ARG VERSION=${pkg.version}`);
    for (const key of ['revision', 'created', 'source', 'base.name', 'description']) expect(label(key), key).toBeDefined();
    expect(final.text).toMatch(/^ARG NODE_IMAGE$/m); // re-declared so the base.name label can read it
  });

  it('starts the compiled form of the file `pnpm start` runs', () => {
    const [, , node, script, ...rest] = execForm(dockerfile, 'ENTRYPOINT');
    expect(node).toBe('node');
    expect(rest).toEqual([]);
    const { rootDir, outDir } = tsOutDir(dir);
    let compiled = script!;
    if (!compiled.startsWith(`${outDir}/`)) {
      // A launcher shipped with the package (its bin, in its "files") that imports the compiled entry point.
      expect(Object.values(pkg.bin ?? {}).map((p) => p.replace(/^\.\//, ''))).toContain(script);
      expect(pkg.files).toContain(script!.split('/')[0]);
      const target = /import ["']\.\.\/(\S+\.js)["']/.exec(readFileSync(join(ROOT, dir, script!), 'utf8'))?.[1];
      expect(target, `${script} imports the compiled entry`).toBeDefined();
      compiled = target!;
    }
    const entry = compiled.replace(`${outDir}/`, `${rootDir}/`).replace(/\.js$/, '.ts');
    expect(existsSync(join(ROOT, dir, entry))).toBe(true);
    expect(pkg.scripts?.start).toMatch(new RegExp(`\\s${entry.replace('.', '\\.')}(\\s|$)`));
    if (cmd) expect(execForm(dockerfile, 'CMD')).toEqual(cmd);
  });
});

describe('the manager image’s contents', () => {
  it('leaves the embedded store out: an optional dependency, skipped by the deploy, loaded only without DATABASE_URL', () => {
    const manager = pkgOf('apps/manager');
    expect(manager.optionalDependencies).toHaveProperty('@electric-sql/pglite');
    expect(manager.dependencies).not.toHaveProperty('@electric-sql/pglite');
    expect(source('apps/manager/Dockerfile')).toContain('RUN pnpm --filter @jobnik/manager --prod --no-optional deploy --legacy /out');
    // Only db/embedded.ts imports the PGlite adapter, and lazily: the rest of the manager loads without it.
    const importers = execFileSync('grep', ['-rlE', "from '(\\./|\\.\\./)+db/pglite-db\\.js'|from '\\./pglite-db\\.js'|import\\('\\./pglite-db\\.js'\\)", join(ROOT, 'apps/manager/src')], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((f) => f.replace(join(ROOT, 'apps/manager/src/'), ''));
    expect(importers).toEqual(['db/embedded.ts']);
    expect(source('apps/manager/src/db/embedded.ts')).toContain("await import('./pglite-db.js')");
  });

  it('runs node with the young generation its README documents, in NODE_OPTIONS node accepts', () => {
    const options = /^ENV NODE_OPTIONS="([^"]*)"$/m.exec(source('apps/manager/Dockerfile'))?.[1];
    expect(options).toBe('--max-semi-space-size=8');
    expect(source('apps/manager/README.md')).toContain(`| \`NODE_OPTIONS\` | \`${options}\` in the image |`);
    // Node refuses to start (exit 9) on a flag NODE_OPTIONS may not carry: the image would crash at start.
    const out = execFileSync(process.execPath, ['-e', 'process.stdout.write("started")'], { env: { ...process.env, NODE_OPTIONS: options }, encoding: 'utf8' });
    expect(out).toBe('started');
  });

  it('ships the built dashboard but none of its React sources or packages (Vite bundles them)', () => {
    const dashboard = pkgOf('apps/dashboard');
    expect(dashboard.files).toEqual(['dist']);
    expect(dashboard.dependencies ?? {}).toEqual({});
    expect(dashboard.devDependencies).toHaveProperty('react');
  });

  it('is pruned to the manager, its contracts and the dashboard it serves', () => {
    const out = mkdtempSync(join(tmpdir(), 'jobnik-prune-'));
    try {
      execFileSync(join(ROOT, 'node_modules', '.bin', 'turbo'), ['prune', '@jobnik/manager', '--docker', '--out-dir', out], { cwd: ROOT, stdio: 'pipe' });
      const pkgs = ['apps', 'packages', 'templates', 'test', 'workers'].flatMap((d) =>
        existsSync(join(out, 'json', d)) ? readdirSync(join(out, 'json', d)).map((p) => `${d}/${p}`) : [],
      );
      expect(pkgs.sort()).toEqual(['apps/dashboard', 'apps/manager', 'packages/contracts']);
      expect(existsSync(join(out, 'json', 'pnpm-lock.yaml'))).toBe(true);
      // Root files the pruned packages' tsconfigs extend are not in the prune: the build stage copies them itself.
      const build = stages(source('apps/manager/Dockerfile')).find((st) => st.text.includes('pnpm install'))!.text;
      for (const p of pkgs) {
        for (const file of readdirSync(join(ROOT, p)).filter((f) => /^tsconfig.*\.json$/.test(f))) {
          const base = (JSON.parse(readFileSync(join(ROOT, p, file), 'utf8')) as { extends?: string }).extends;
          if (!base?.startsWith('../../')) continue;
          const rootFile = base.slice('../../'.length);
          if (existsSync(join(out, 'full', rootFile))) continue;
          expect(build, `${p}/${file} extends ${rootFile}`).toMatch(new RegExp(`^COPY ${rootFile.replace('.', '\\.')} \\./$`, 'm'));
        }
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('.dockerignore', () => {
  it('keeps installed modules, build output and local data out of the build context', () => {
    const lines = source('.dockerignore').split('\n');
    for (const entry of ['**/node_modules', '**/dist', '**/.data', '.git']) expect(lines).toContain(entry);
  });
});
