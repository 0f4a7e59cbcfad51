// How child processes run: BENCH_RUNTIME=dist (default) runs the compiled packages (`pnpm bench` builds
// them first), as users do; BENCH_RUNTIME=source runs the TypeScript sources through tsx, which is handy
// while developing but adds tsx's transform overhead (e.g. a keep-names helper call per closure) to
// every measurement. Extra Node flags (e.g. --cpu-prof) come from the env.
export const TSX_LOADER = import.meta.resolve('tsx');

export const runtime: 'dist' | 'source' = process.env.BENCH_RUNTIME === 'source' ? 'source' : 'dist';

/** Node flags of a child whose entry is one of this package's .ts files. */
export function childExecArgv(extraEnv?: string): string[] {
  const extra = extraEnv ? (process.env[extraEnv] ?? '').split(' ').filter(Boolean) : [];
  // The entry itself is TypeScript either way; without the `source` condition its imports of workspace
  // packages resolve to their compiled dist/.
  return [`--import=${TSX_LOADER}`, ...(runtime === 'source' ? ['--conditions=source'] : []), ...extra];
}
