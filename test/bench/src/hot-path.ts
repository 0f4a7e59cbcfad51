// The hot path through processes: end-to-end throughput on PostgreSQL and PGlite for every N and number
// of worker processes, graphile-worker beside it on PostgreSQL, and the manager's footprint meanwhile.
// Every sample is printed as it comes; summarize() prints the medians with their targets.
import { isMain } from './main.js';
import { reportPeer, runGraphile, type PeerResult } from './peer-graphile.js';
import { median, note, report, round } from './report.js';
import { settings, targets } from './settings.js';
import { reportThroughput, runThroughput, type ThroughputResult } from './throughput.js';

export interface HotPathResults {
  ours: ThroughputResult[];
  peer: PeerResult[];
}

export async function runHotPath(): Promise<HotPathResults> {
  const ours: ThroughputResult[] = [];
  const peer: PeerResult[] = [];
  for (let run = 1; run <= settings.repeat; run++) {
    for (const store of settings.stores) {
      for (const n of store === 'pglite' ? settings.pgliteTasks : settings.tasks) {
        for (const w of settings.workers) {
          note(`e2e ${store} N=${n} W=${w} run ${run}`);
          const r = await runThroughput(store, n, w);
          reportThroughput(r, run);
          ours.push(r);
          if (store === 'postgres') {
            // The peer right after ours, same N and W, so both see the same machine load.
            note(`graphile-worker N=${n} W=${w} run ${run}`);
            const p = await runGraphile(n, w);
            reportPeer(p, run);
            peer.push(p);
          }
        }
      }
    }
  }
  return { ours, peer };
}

export function summarizeHotPath({ ours, peer }: HotPathResults): void {
  const keys = [...new Set(ours.map((r) => `${r.store}/${r.tasks}/${r.workers}`))];
  for (const key of keys) {
    const runs = ours.filter((r) => `${r.store}/${r.tasks}/${r.workers}` === key);
    const { store, tasks, workers } = runs[0]!;
    const value = Math.round(median(runs.map((r) => r.tasksPerSecond)));
    const target = store === 'pglite' ? (workers === 4 ? targets.pgliteTasksPerSecond : undefined) : workers === 4 ? targets.e2eTasksPerSecond4Workers : undefined;
    const common = { summary: true, runs: runs.length, tasks, workerProcesses: workers };
    report({ figure: `e2e-throughput-${store}`, value, unit: 'tasks/s', ...(target ? { target } : {}), ...common,
      managerPeakRssMb: round(median(runs.map((r) => r.manager.peakRssMb))), managerCpuPercent: round(median(runs.map((r) => r.manager.cpuPercent))) });
    if (store !== 'postgres') continue;
    const theirs = peer.filter((p) => p.tasks === tasks && p.workers === workers);
    if (theirs.length === 0) continue;
    const peerValue = Math.round(median(theirs.map((p) => p.tasksPerSecond)));
    report({ figure: 'e2e-throughput-graphile-worker', value: peerValue, unit: 'tasks/s', ...common, version: '0.17.3' });
    report({ figure: 'ratio-over-graphile-worker', value: round(value / peerValue, 2), unit: 'ours/theirs', ...(workers === 4 ? { target: targets.ratioOverGraphile } : {}), ...common });
  }
  // Footprint: the worst peak RSS of the manager over every PostgreSQL run (full load), and its CPU.
  const pgRuns = ours.filter((r) => r.store === 'postgres');
  if (pgRuns.length) {
    const worst = pgRuns.reduce((a, b) => (b.manager.peakRssMb > a.manager.peakRssMb ? b : a));
    report({ figure: 'manager-peak-rss-postgres', value: round(worst.manager.peakRssMb), unit: 'MB', target: targets.managerRssMb, summary: true,
      atTasks: worst.tasks, atWorkerProcesses: worst.workers, managerCpuPercent: round(worst.manager.cpuPercent), managerCpuSeconds: round(worst.manager.cpuSeconds, 2) });
  }
  const pgliteRuns = ours.filter((r) => r.store === 'pglite');
  if (pgliteRuns.length) {
    const worst = pgliteRuns.reduce((a, b) => (b.manager.peakRssMb > a.manager.peakRssMb ? b : a));
    report({ figure: 'manager-peak-rss-pglite', value: round(worst.manager.peakRssMb), unit: 'MB', summary: true, atTasks: worst.tasks, atWorkerProcesses: worst.workers,
      managerCpuPercent: round(worst.manager.cpuPercent), note: 'the embedded database runs inside the manager process' });
  }
}

if (isMain(import.meta.url)) summarizeHotPath(await runHotPath());
