// prepack: refuse to pack a manager without its compiled code, migrations and dashboard (run `pnpm build` first).
import { existsSync } from 'node:fs';

const missing = ['dist/main.js', 'dist/index.d.ts', 'dist/migrations', 'dist/dashboard/index.html'].filter((f) => !existsSync(new URL(`../${f}`, import.meta.url)));
if (missing.length) {
  console.error(`@jobnik/manager: cannot pack, missing ${missing.join(', ')} (run \`pnpm build\` at the repository root)`);
  process.exit(1);
}
