// How child processes run TypeScript sources: the same Node, the tsx loader, the `source` condition
// (workspace packages resolve to their src/), plus optional extra flags (e.g. --cpu-prof) from the env.
export const TSX_LOADER = import.meta.resolve('tsx');

export function childExecArgv(extraEnv?: string): string[] {
  const extra = extraEnv ? (process.env[extraEnv] ?? '').split(' ').filter(Boolean) : [];
  return [`--import=${TSX_LOADER}`, '--conditions=source', ...extra];
}
