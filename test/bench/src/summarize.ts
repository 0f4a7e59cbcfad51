// pnpm bench:summarize run1.jsonl run2.jsonl …: the figures of several saved `pnpm bench` runs side by side, one
// line per figure with its median over the runs, the range and how many runs met the target: what the root README's
// performance table is made from. A figure is a run's summary line (or, for figures a run reports once, the line
// with a target), told apart by its setup (tasks, worker processes, store).
import { readFileSync } from 'node:fs';
import { median, round } from './report.js';

interface Line {
  figure: string;
  value: number;
  unit: string;
  target?: string;
  pass?: boolean;
  summary?: boolean;
  tasks?: number;
  workerProcesses?: number;
}

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: pnpm bench:summarize <run.jsonl>… (each the stdout of one `pnpm bench`)');
  process.exit(2);
}

const keyOf = (l: Line) => [l.figure, l.tasks !== undefined ? `N=${l.tasks}` : '', l.workerProcesses !== undefined ? `W=${l.workerProcesses}` : ''].filter(Boolean).join(' ');
const byKey = new Map<string, { unit: string; target?: string; values: number[]; passes: number }>();
for (const file of files) {
  const lines = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Line);
  // Per run, a figure's summary line wins over its samples; figures measured once count by their targeted line.
  const chosen = new Map<string, Line>();
  for (const l of lines) {
    const key = keyOf(l);
    if (l.summary || (l.target !== undefined && !chosen.get(key)?.summary)) chosen.set(key, l);
  }
  for (const [key, l] of chosen) {
    const entry = byKey.get(key) ?? { unit: l.unit, ...(l.target ? { target: l.target } : {}), values: [], passes: 0 };
    entry.values.push(l.value);
    if (l.pass) entry.passes++;
    byKey.set(key, entry);
  }
}
for (const [key, e] of [...byKey].sort(([a], [b]) => a.localeCompare(b))) {
  const range = `${Math.min(...e.values)}–${Math.max(...e.values)}`;
  const verdict = e.target ? ` target ${e.target}, met in ${e.passes} of ${e.values.length}` : '';
  console.log(`${key}: median ${round(median(e.values), 3)} ${e.unit} (${range}; ${e.values.length} runs)${verdict}`);
}
