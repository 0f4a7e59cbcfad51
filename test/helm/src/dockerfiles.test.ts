// The images the charts run (no Docker here to build them): each Dockerfile builds the package it names with its
// production dependencies, runs as a non-root user without a HEALTHCHECK, and starts a file the build produces.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './paths.js';
import { dockerUser, source } from './sources.js';

interface Pkg {
  name: string;
  scripts?: Record<string, string>;
  bin?: Record<string, string>;
  files?: string[];
}

const pkgOf = (dir: string) => JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as Pkg;
const tsOutDir = (dir: string) => JSON.parse(readFileSync(join(ROOT, dir, 'tsconfig.build.json'), 'utf8')).compilerOptions as { rootDir: string; outDir: string };

/** The JSON-array form of an instruction (ENTRYPOINT, CMD) in the final stage. */
function execForm(dockerfile: string, instruction: string): string[] {
  const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  const line = new RegExp(`^${instruction} (\\[.*\\])$`, 'm').exec(finalStage);
  if (!line) throw new Error(`no ${instruction} in the final stage`);
  return JSON.parse(line[1]!) as string[];
}

describe.each([
  ['apps/manager', ['serve']],
  ['templates/worker', undefined],
])('%s/Dockerfile', (dir, cmd) => {
  const dockerfile = source(`${dir}/Dockerfile`);
  const pkg = pkgOf(dir);

  it('builds on node:24-slim in stages and runs as a non-root user without a HEALTHCHECK', () => {
    const froms = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
    expect(froms.length).toBeGreaterThanOrEqual(2);
    expect(new Set(froms)).toEqual(new Set(['node:24-slim']));
    expect(dockerUser(`${dir}/Dockerfile`).uid).toBeGreaterThan(0);
    expect(dockerfile).not.toMatch(/^HEALTHCHECK/m);
    expect(dockerfile).toMatch(/^RUN pnpm install --frozen-lockfile/m);
  });

  it('builds and deploys its own package with production dependencies only', () => {
    expect(pkg.scripts?.build).toBeTruthy();
    expect(dockerfile).toContain(`RUN pnpm --filter-prod "${pkg.name}..." run build`);
    expect(dockerfile).toContain(`RUN pnpm --filter ${pkg.name} --prod deploy --legacy /out`);
  });

  it('starts the compiled form of the file `pnpm start` runs', () => {
    const [node, script, ...rest] = execForm(dockerfile, 'ENTRYPOINT');
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

describe('.dockerignore', () => {
  it('keeps installed modules, build output and local data out of the build context', () => {
    const lines = source('.dockerignore').split('\n');
    for (const entry of ['**/node_modules', '**/dist', '**/.data', '.git']) expect(lines).toContain(entry);
  });
});
