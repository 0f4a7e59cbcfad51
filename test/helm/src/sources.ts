// Facts the charts must agree with, read from the code they deploy: config env names, routes, image user.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './paths.js';

interface ConfigModule {
  configSchema: Record<string, Record<string, { env?: string; sensitive?: boolean }>>;
  loadConfig(overrides: object, env: NodeJS.ProcessEnv): any;
}

/** A package's convict config module (config.ts imports only convict and zod, so it loads without the rest of the app). */
export async function configModule(packageDir: string): Promise<ConfigModule> {
  return (await import(pathToFileURL(join(ROOT, packageDir, 'src', 'config.ts')).href)) as ConfigModule;
}

/** Env names of a convict schema, with whether each is sensitive. */
export function envNames(schema: ConfigModule['configSchema']): Map<string, boolean> {
  const out = new Map<string, boolean>();
  for (const group of Object.values(schema)) for (const key of Object.values(group)) if (key.env) out.set(key.env, key.sensitive === true);
  return out;
}

export function source(path: string): string {
  return readFileSync(join(ROOT, path), 'utf8');
}

/** The numeric `USER uid:gid` of a Dockerfile's final stage. */
export function dockerUser(dockerfile: string): { uid: number; gid: number } {
  const users = [...source(dockerfile).matchAll(/^USER (\d+):(\d+)$/gm)];
  const last = users.at(-1);
  if (!last) throw new Error(`${dockerfile} has no numeric USER`);
  return { uid: Number(last[1]), gid: Number(last[2]) };
}
