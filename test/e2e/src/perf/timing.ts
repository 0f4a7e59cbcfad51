// Small helpers for timing: repeat a measurement and summarise it.

export interface Summary {
  runs: number;
  p50: number;
  p95: number;
  max: number;
}

export function summarise(ms: number[]): Summary {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  const r = (v: number) => Number(v.toFixed(1));
  return { runs: s.length, p50: r(at(0.5)), p95: r(at(0.95)), max: r(s[s.length - 1]!) };
}

export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t = performance.now();
  const value = await fn();
  return { ms: performance.now() - t, value };
}
