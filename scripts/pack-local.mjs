#!/usr/bin/env node
// `pnpm pack:local`: builds the published packages (@jobnik/contracts, @jobnik/sdk, @jobnik/manager) and packs each
// into .packs/ as the registry would serve it, for using this checkout's Jobnik outside the repository before (or
// instead of) a release: an app installs the tarballs, a standalone worker points pnpm's overrides at them.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, '.packs');
const PACKAGES = ['@jobnik/contracts', '@jobnik/sdk', '@jobnik/manager'];
const pnpm = (args) => execFileSync('pnpm', args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });

pnpm(['turbo', 'run', 'build', ...PACKAGES.map((p) => `--filter=${p}`)]);
rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT);
for (const p of PACKAGES) pnpm(['--filter', p, 'pack', '--pack-destination', OUT]);

const tgz = readdirSync(OUT).filter((f) => f.endsWith('.tgz')).sort();
const path = (name) => join(OUT, tgz.find((f) => f.startsWith(`${name.slice(1).replace('/', '-')}-`)));
console.log(`\npacked into ${OUT}: ${tgz.join(', ')}

An app (npm):       npm install ${path('@jobnik/contracts')} ${path('@jobnik/sdk')}
A standalone worker (its pnpm-workspace.yaml; then pnpm install):
overrides:
${PACKAGES.map((p) => `  '${p}': file:${path(p)}`).join('\n')}

The same with the tarballs copied into the worker's vendor/ (what its image and CI need; its README says why):
overrides:
${PACKAGES.map((p) => `  '${p}': file:vendor/${basename(path(p))}`).join('\n')}`);
