// Footprint of another process from /proc: peak resident memory and CPU time over a window (Linux).
import { readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** CPU time (user + system) a process has used since it started, in seconds. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND; // utime + stime
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

export interface Footprint {
  /** Highest resident set size seen while sampling. */
  peakRssMb: number;
  /** CPU time (user + system) used in the window. */
  cpuSeconds: number;
  /** cpuSeconds over the window's wall time (100 = one core busy). */
  cpuPercent: number;
}

export class ProcessSampler {
  private timer: NodeJS.Timeout | undefined;
  private peak = 0;
  private cpu0 = 0;
  private t0 = 0;

  constructor(
    private readonly pid: number,
    private readonly everyMs = 50,
  ) {}

  start(): void {
    this.cpu0 = cpuSeconds(this.pid);
    this.t0 = performance.now();
    this.peak = rssMb(this.pid);
    this.timer = setInterval(() => {
      try {
        this.peak = Math.max(this.peak, rssMb(this.pid));
      } catch {
        // the process is gone; stop() reports what was seen
      }
    }, this.everyMs);
  }

  stop(): Footprint {
    clearInterval(this.timer);
    const wall = (performance.now() - this.t0) / 1000;
    let cpu = NaN;
    try {
      this.peak = Math.max(this.peak, rssMb(this.pid));
      cpu = cpuSeconds(this.pid) - this.cpu0;
    } catch {
      // gone
    }
    return { peakRssMb: this.peak, cpuSeconds: cpu, cpuPercent: (cpu / wall) * 100 };
  }
}

/** CPU seconds of a process, 0 once it is gone. */
export function cpuSecondsOrZero(pid: number): number {
  try {
    return cpuSeconds(pid);
  } catch {
    return 0;
  }
}

/** Total CPU seconds of several processes; those already gone count 0. */
export function totalCpuSeconds(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => sum + cpuSecondsOrZero(pid), 0);
}
