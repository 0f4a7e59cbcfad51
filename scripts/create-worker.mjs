#!/usr/bin/env node
// `pnpm create-worker <name> [--stage-type t]... [--dir parent] [--standalone | --workspace]`: copies
// templates/worker to workers/<name> (or <parent>/<name>) as package @jobnik/worker-<name>, with its own default
// stage types, chart name (helm/Chart.yaml, its helpers and image) and Dockerfile paths.
// Inside this repository the copy is a workspace package (workspace: dependencies, built from the root). Outside
// it (or with --standalone) it is a repository of its own: semver ranges of the published @jobnik packages, its
// own tsconfig, the repository's lint setup, a Dockerfile building from its folder, .gitignore and CI example
// (templates/worker/standalone).
import { cpSync, existsSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TEMPLATE = join(ROOT, 'templates', 'worker');
// What a standalone repository gets on top of the template (and instead of its workspace-bound files).
const STANDALONE = join(TEMPLATE, 'standalone');
const SKIP = new Set(['node_modules', 'dist', '.turbo', 'coverage', '.data']);
const TEXT = /\.(ts|mts|js|mjs|cjs|json|md|ya?ml|tpl|txt)$|^(Dockerfile|\.dockerignore|\.helmignore|\.gitignore)$/;
// Tools the workspace root provides and a standalone repository must bring itself (ranges read from the root).
const ROOT_TOOLS = ['typescript', '@types/node', 'eslint', '@eslint/js', 'typescript-eslint', 'globals'];
const NAME = /^[a-z][a-z0-9-]{0,40}[a-z0-9]$/;
const STAGE_TYPE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const TEMPLATE_STAGE_TYPES = ['tile-render', 'tile-upload', 'tile-index'];

function usage(message) {
  console.error(`${message}\nusage: pnpm create-worker <name> [--stage-type <type>]... [--dir <parent directory>] [--standalone | --workspace]`);
  process.exit(2);
}

function parseArgs(argv) {
  const out = { name: undefined, stageTypes: [], dir: join(ROOT, 'workers'), standalone: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => (i + 1 < argv.length ? argv[++i] : usage(`${a} needs a value`));
    if (a === '--stage-type' || a === '-t') out.stageTypes.push(...value().split(',').filter(Boolean));
    else if (a.startsWith('--stage-type=')) out.stageTypes.push(...a.slice(13).split(',').filter(Boolean));
    else if (a === '--dir') out.dir = resolve(value());
    else if (a === '--standalone') out.standalone = true;
    else if (a === '--workspace') out.standalone = false;
    else if (a === '--') continue;
    else if (a.startsWith('-')) usage(`unknown option ${a}`);
    else if (out.name === undefined) out.name = a;
    else usage(`unexpected argument ${a}`);
  }
  return out;
}

function* textFiles(dir) {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) yield* textFiles(path);
    else if (TEXT.test(basename(path))) yield path;
  }
}

const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));
const writeJson = (path, value) => writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
const sorted = (obj) => Object.fromEntries(Object.entries(obj).sort(([a], [b]) => a.localeCompare(b)));

/** True when `target` lies inside this repository (a workspace package); false for a folder elsewhere. */
function insideRepo(target) {
  const fromRoot = relative(ROOT, target);
  return fromRoot !== '' && !fromRoot.startsWith('..') && !isAbsolute(fromRoot);
}

/** Turns the copy into a repository of its own: overlay files, published package ranges, no source condition. */
function makeStandalone(target, pkg) {
  const introPath = join(STANDALONE, 'README.md');
  cpSync(STANDALONE, target, { recursive: true, filter: (src) => src !== introPath });
  renameSync(join(target, 'gitignore'), join(target, '.gitignore')); // kept as `gitignore` in the template so it does not act on this repository
  // The repository's own lint setup, its opening line made this repository's.
  const lint = readFileSync(join(ROOT, 'eslint.config.js'), 'utf8').replace(/^\/\/ .*\n/, '// The lint setup of this worker (the one the Jobnik repository uses).\n');
  writeFileSync(join(target, 'eslint.config.js'), lint);
  // Parts of the docs that only hold inside the Jobnik repository (its workspace Dockerfile, the steps from a clone,
  // its chart tests) are left out: whole lines between marker lines, or a span inside a paragraph.
  for (const file of textFiles(target)) {
    if (!file.endsWith('.md')) continue;
    const text = readFileSync(file, 'utf8');
    const kept = text.replace(/^<!-- workspace-only -->\n[\s\S]*?^<!-- \/workspace-only -->\n/gm, '').replace(/<!-- workspace-only -->[\s\S]*?<!-- \/workspace-only -->/g, '');
    if (kept !== text) writeFileSync(file, kept);
  }
  // The README opens with how to work in this repository.
  const readme = join(target, 'README.md');
  const intro = readFileSync(introPath, 'utf8');
  const own = readFileSync(readme, 'utf8')
    .replace('[Jobnik](../../README.md)', 'Jobnik')
    .replace('Copy it with `pnpm create-worker <name>` and replace the example handler.', 'Replace the example handler with your own work.');
  const at = own.indexOf('\n## ');
  writeFileSync(readme, at < 0 ? `${own}\n${intro}` : `${own.slice(0, at + 1)}${intro}\n${own.slice(at + 1)}`);
  // Sources run from the published builds, so the workspace's `source` export condition has no use here.
  const test = join(target, 'test', 'main-process.test.ts');
  writeFileSync(test, readFileSync(test, 'utf8').replaceAll("'--conditions=source', ", ''));

  const root = readJson(join(ROOT, 'package.json'));
  const published = (dir) => `^${readJson(join(ROOT, dir, 'package.json')).version}`;
  const ranges = { '@jobnik/sdk': published('packages/sdk'), '@jobnik/manager': published('apps/manager'), '@jobnik/contracts': published('packages/contracts') };
  for (const field of ['dependencies', 'devDependencies']) {
    for (const [dep, spec] of Object.entries(pkg[field] ?? {})) if (String(spec).startsWith('workspace:')) pkg[field][dep] = ranges[dep] ?? spec;
  }
  for (const tool of ROOT_TOOLS) pkg.devDependencies[tool] ??= root.devDependencies[tool];
  pkg.devDependencies = sorted(pkg.devDependencies);
  pkg.packageManager = root.packageManager;
  for (const entry of Object.values(pkg.exports ?? {})) if (entry && typeof entry === 'object') delete entry.source;
  pkg.scripts = { ...pkg.scripts, start: pkg.scripts.start.replace('--conditions=source ', ''), lint: 'eslint .' };
  // The dependencies whose install scripts the workspace lets run (esbuild, under tsx): pnpm 10 skips them otherwise.
  const workspace = readFileSync(join(ROOT, 'pnpm-workspace.yaml'), 'utf8');
  const built = /^onlyBuiltDependencies:\n((?:[ \t]+- .+\n)+)/m.exec(workspace)?.[1].split('\n').map((l) => l.replace(/^\s+- /, '').trim()).filter(Boolean) ?? [];
  if (built.length > 0) pkg.pnpm = { ...pkg.pnpm, onlyBuiltDependencies: built };
}

/** Copies the template and renames it; returns the new package's directory. */
export function createWorker({ name, stageTypes = [], dir, standalone }) {
  if (!name || !NAME.test(name)) throw new Error(`worker name must be lowercase letters, digits and dashes (2-42 chars), got ${JSON.stringify(name)}`);
  for (const t of stageTypes) if (!STAGE_TYPE.test(t)) throw new Error(`invalid stage type ${JSON.stringify(t)}`);
  const target = join(dir, name);
  if (existsSync(target)) throw new Error(`${target} already exists`);
  const alone = standalone ?? !insideRepo(target);
  cpSync(TEMPLATE, target, { recursive: true, filter: (src) => src !== STANDALONE && !SKIP.has(basename(src)) && !src.endsWith('.tsbuildinfo') });

  const pkgPath = join(target, 'package.json');
  const pkg = readJson(pkgPath);
  if (alone) makeStandalone(target, pkg);
  pkg.description = alone ? `Jobnik worker ${name}.` : `Jobnik worker ${name} (from templates/worker).`;
  pkg.version = '0.1.0';
  writeJson(pkgPath, pkg);

  const types = stageTypes.length > 0 ? stageTypes : TEMPLATE_STAGE_TYPES;
  // The workspace Dockerfile builds from the repository root, so it names the worker's directory relative to it.
  const workerDir = insideRepo(target) ? relative(ROOT, target).split(sep).join('/') : `workers/${name}`;
  for (const file of textFiles(target)) {
    const before = readFileSync(file, 'utf8');
    // `jobnik-worker` names the chart, its helpers, the image and the logger.
    let text = before
      .replaceAll('@jobnik/worker-template', `@jobnik/worker-${name}`)
      .replaceAll('jobnik-worker', name)
      .replaceAll('templates/worker/', `${workerDir}/`)
      .replace(/^# Jobnik worker template$/m, `# ${name}: a Jobnik worker`);
    if (stageTypes.length > 0) {
      // The config default (an array literal), the chart's values (a YAML flow list) and the docs' comma list.
      text = text
        .replaceAll(`[${TEMPLATE_STAGE_TYPES.map((t) => `'${t}'`).join(', ')}]`, `[${types.map((t) => `'${t}'`).join(', ')}]`)
        .replaceAll(`[${TEMPLATE_STAGE_TYPES.join(', ')}]`, `[${types.map((t) => JSON.stringify(t)).join(', ')}]`)
        .replaceAll(TEMPLATE_STAGE_TYPES.join(','), types.join(','));
    }
    if (text !== before) writeFileSync(file, text);
  }
  return { target, standalone: alone };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = parseArgs(process.argv.slice(2));
  if (!args.name) usage('missing worker name');
  try {
    const { target, standalone } = createWorker(args);
    const next = standalone ? `cd ${target} && pnpm install && pnpm test` : `pnpm install && pnpm --filter @jobnik/worker-${args.name} test`;
    console.log(`created ${target} (package @jobnik/worker-${args.name}${standalone ? ', a standalone repository' : ''})\nnext: ${next}`);
    // Until @jobnik is on the npm registry that install answers 404: the packages come from this checkout instead.
    if (standalone) {
      console.log(
        `if pnpm install answers 404 for @jobnik/sdk (not on your registry yet): run \`pnpm pack:local\` in ${ROOT.replace(/\/$/, '')}, put the\n` +
          `overrides: it prints into ${join(target, 'pnpm-workspace.yaml')} and pnpm install again (for the image and CI: README, "Before the @jobnik packages are on a registry")`,
      );
    }
  } catch (err) {
    console.error(`create-worker: ${err.message}`);
    process.exit(1);
  }
}
