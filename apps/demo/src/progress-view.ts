// Draws one progress bar per stage with plain ANSI: on a terminal the bars are redrawn in place; elsewhere
// (a pipe, a log file, a test) a stage's line is printed only when its percentage moved on by a step.
import type { Writable } from 'node:stream';

export interface StageProgress {
  type: string;
  status: string;
  percentage: number;
  summary: { completed: number; failed: number; inProgress: number; total: number };
  /** Attempts that failed and were scheduled again (seen by the demo's worker). */
  retried?: number;
}

const BAR_WIDTH = 30;
const GREEN = '\x1b[32m';
const DIM = '\x1b[2m';
const RESET = '\x1b[0m';

export function stageLine(s: StageProgress, color: boolean): string {
  const filled = Math.round((s.percentage / 100) * BAR_WIDTH);
  const bar = '█'.repeat(filled) + '░'.repeat(BAR_WIDTH - filled);
  const pct = `${Math.floor(s.percentage)}%`.padStart(4);
  const counts = `${s.summary.completed}/${s.summary.total}`.padStart(9);
  const extra = [
    s.summary.inProgress ? `${s.summary.inProgress} running` : '',
    s.retried ? `${s.retried} retried` : '',
    s.summary.failed ? `${s.summary.failed} failed` : '',
  ]
    .filter(Boolean)
    .join(', ');
  const name = s.type.padEnd(12);
  const body = color ? `${GREEN}${bar.slice(0, filled)}${RESET}${DIM}${bar.slice(filled)}${RESET}` : bar;
  return `${name} ${body} ${pct} ${counts}  ${s.status.padEnd(12)}${extra}`;
}

export class ProgressView {
  private drawnLines = 0;
  private readonly lastStep = new Map<string, string>();

  constructor(
    private readonly out: Writable & { isTTY?: boolean },
    private readonly stepPercent = 25,
  ) {}

  get interactive(): boolean {
    return this.out.isTTY === true;
  }

  render(stages: StageProgress[]): void {
    if (this.interactive) {
      const up = this.drawnLines > 0 ? `\x1b[${this.drawnLines}A` : '';
      this.out.write(up + stages.map((s) => `\x1b[2K${stageLine(s, true)}\n`).join(''));
      this.drawnLines = stages.length;
      return;
    }
    for (const s of stages) {
      const step = `${s.status}:${Math.floor(s.percentage / this.stepPercent)}`;
      if (this.lastStep.get(s.type) === step) continue;
      this.lastStep.set(s.type, step);
      this.out.write(`${stageLine(s, false)}\n`);
    }
  }
}
