#!/usr/bin/env node
// `pnpm create-worker <name> [--stage-type t]... [--dir parent]`: copies templates/worker to workers/<name>
// (or <parent>/<name>) as package @jobnik/worker-<name>, with its own default stage types, chart name
// (helm/Chart.yaml, its helpers and image) and Dockerfile paths.
import { cpSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TEMPLATE = join(ROOT, 'templates', 'worker');
const SKIP = new Set(['node_modules', 'dist', '.turbo', 'coverage', '.data']);
const TEXT = /\.(ts|mts|js|mjs|cjs|json|md|ya?ml|tpl|txt)$|^(Dockerfile|\.dockerignore|\.helmignore|\.gitignore)$/;
const NAME = /^[a-z][a-z0-9-]{0,40}[a-z0-9]$/;
const STAGE_TYPE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const TEMPLATE_STAGE_TYPES = ['tile-render', 'tile-upload', 'tile-index'];

function usage(message) {
  console.error(`${message}\nusage: pnpm create-worker <name> [--stage-type <type>]... [--dir <parent directory>]`);
  process.exit(2);
}

function parseArgs(argv) {
  const out = { name: undefined, stageTypes: [], dir: join(ROOT, 'workers') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => (i + 1 < argv.length ? argv[++i] : usage(`${a} needs a value`));
    if (a === '--stage-type' || a === '-t') out.stageTypes.push(...value().split(',').filter(Boolean));
    else if (a.startsWith('--stage-type=')) out.stageTypes.push(...a.slice(13).split(',').filter(Boolean));
    else if (a === '--dir') out.dir = resolve(value());
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

/** Copies the template and renames it; returns the new package's directory. */
export function createWorker({ name, stageTypes = [], dir }) {
  if (!name || !NAME.test(name)) throw new Error(`worker name must be lowercase letters, digits and dashes (2-42 chars), got ${JSON.stringify(name)}`);
  for (const t of stageTypes) if (!STAGE_TYPE.test(t)) throw new Error(`invalid stage type ${JSON.stringify(t)}`);
  const target = join(dir, name);
  if (existsSync(target)) throw new Error(`${target} already exists`);
  cpSync(TEMPLATE, target, { recursive: true, filter: (src) => !SKIP.has(basename(src)) && !src.endsWith('.tsbuildinfo') });

  const types = stageTypes.length > 0 ? stageTypes : TEMPLATE_STAGE_TYPES;
  // The Dockerfile builds from the repository root, so it names the worker's directory relative to it.
  const fromRoot = relative(ROOT, target);
  const workerDir = fromRoot && !fromRoot.startsWith('..') && !isAbsolute(fromRoot) ? fromRoot.split(sep).join('/') : `workers/${name}`;
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
  const pkgPath = join(target, 'package.json');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8'));
  pkg.description = `Jobnik worker ${name} (from templates/worker).`;
  pkg.version = '0.1.0';
  writeFileSync(pkgPath, `${JSON.stringify(pkg, null, 2)}\n`);
  return target;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = parseArgs(process.argv.slice(2));
  if (!args.name) usage('missing worker name');
  try {
    const target = createWorker(args);
    console.log(`created ${target} (package @jobnik/worker-${args.name})\nnext: pnpm install && pnpm --filter @jobnik/worker-${args.name} test`);
  } catch (err) {
    console.error(`create-worker: ${err.message}`);
    process.exit(1);
  }
}
