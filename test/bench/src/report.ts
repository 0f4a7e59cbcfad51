// Benchmarks print one JSON object per line: the figure, its unit, the target beside it, the setup.
export function report(bench: string, figures: Record<string, unknown>): void {
  console.log(JSON.stringify({ bench, at: new Date().toISOString(), node: process.version, ...figures }));
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
