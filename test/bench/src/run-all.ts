// pnpm bench [--quick]: every benchmark in turn. Samples print as they come (JSON lines on stdout,
// progress on stderr); the summary lines at the end carry the medians, targets and pass/miss.
import { serverInfo } from './database.js';
import { reportCreateJob, runCreateJob } from './create-job.js';
import { explainDequeue, reportExplain, type ExplainResult } from './explain-dequeue.js';
import { reportBacklog, runBacklog } from './backlog-scaling.js';
import { reportXminHold, runXminHold } from './xmin-hold.js';
import { runHotPath, summarizeHotPath } from './hot-path.js';
import { reportHistoryCost, reportHistoryPrune, runHistoryCost, runHistoryPrune } from './history-cost.js';
import { reportPickup, runPickup, type PickupResult } from './pickup-latency.js';
import { reportCancel, runCancel, type CancelResult } from './cancel-latency.js';
import { median, note, percentile, report, round } from './report.js';
import { settings, targets } from './settings.js';
import { cpus, loadavg } from 'node:os';
import { runtime } from './node-args.js';
import { reportFairness, runFairness } from './fairness.js';
import { reportRateLimit, runRateLimit } from './rate-limit.js';
import { reportWorkerOverhead, runWorkerOverheadRuns } from './worker-overhead.js';

note(`settings ${JSON.stringify(settings)}`);
report({ figure: 'machine', value: cpus().length, unit: 'cpus', loadAverage1m: round(loadavg()[0]!, 2), node: process.version, postgres: await serverInfo(), quick: settings.quick, runtime });

for (const store of settings.stores) {
  note(`create one job of 10,000 tasks on ${store}`);
  reportCreateJob(store, await runCreateJob(store));
}

const overhead = await runWorkerOverheadRuns();

const hot = await runHotPath();

const pickups: PickupResult[] = [];
for (let run = 1; run <= settings.repeat; run++) {
  for (const store of settings.stores) {
    note(`pickup ${store} run ${run}`);
    const r = await runPickup(store);
    reportPickup(r, run);
    pickups.push(r);
  }
}

const cancels: CancelResult[] = [];
for (let run = 1; run <= settings.repeat; run++) {
  for (const store of settings.stores) {
    note(`cancel-to-signal ${store} run ${run}`);
    const r = await runCancel(store);
    reportCancel(r, run);
    cancels.push(r);
  }
}

const historyCost = settings.stores.includes('postgres') ? await runHistoryCost() : null;
const historyPrune = settings.stores.includes('postgres') ? await runHistoryPrune() : null;

note('backlog: small');
const small = await runBacklog(settings.backlog.small, settings.backlog.repeat);
note('backlog: large');
const explains: ExplainResult[] = [];
const large = await runBacklog(settings.backlog.large, settings.backlog.repeat, async (url) => {
  for (let run = 1; run <= settings.repeat; run++) {
    const r = await explainDequeue(url, 'backlog');
    if (run === 1) console.error(r.plan);
    reportExplain(r, settings.backlog.large, run);
    explains.push(r);
  }
});

// Flow control (issue 20): fairness behind a big backlog, and a rate limit across 2 replicas (postgres only).
if (settings.stores.includes('postgres')) {
  note('fairness: tenant B behind tenant A\'s backlog, 2 replicas');
  reportFairness(await runFairness());
  note('rate limit across 2 replicas');
  reportRateLimit(await runRateLimit());
}
note('xmin horizon held during a steady stream');
const xmin = await runXminHold();

// Summary: medians over the repeats, each with its target.
summarizeHotPath(hot);
for (const store of settings.stores) {
  const runs = pickups.filter((p) => p.store === store);
  const p = (q: number) => round(median(runs.map((r) => percentile(r.fromResponse, q))), 2);
  // From the create request instead: what a producer waits end to end (on PGlite the response trails the pickup).
  const fromRequest = (q: number) => ({ fromCreateRequestMs: round(median(runs.map((r) => percentile(r.fromRequest, q))), 2) });
  const common = { summary: true, runs: runs.length, samplesPerRun: settings.pickup.samples, ratePerSecond: settings.pickup.ratePerSecond };
  report({ figure: `pickup-p50-${store}`, value: p(50), unit: 'ms', target: targets.pickupP50Ms, ...common, ...fromRequest(50) });
  report({ figure: `pickup-p95-${store}`, value: p(95), unit: 'ms', ...common, ...fromRequest(95) });
  report({ figure: `pickup-p99-${store}`, value: p(99), unit: 'ms', target: targets.pickupP99Ms, ...common, ...fromRequest(99) });
}
for (const store of settings.stores) {
  const runs = cancels.filter((c) => c.store === store);
  const p = (q: number) => round(median(runs.map((r) => percentile(r.latencies, q))), 2);
  const common = { summary: true, runs: runs.length, samplesPerRun: settings.cancel.samples, options: 'defaults' };
  report({ figure: `cancel-to-signal-p50-${store}`, value: p(50), unit: 'ms', ...common });
  report({ figure: `cancel-to-signal-p99-${store}`, value: p(99), unit: 'ms', target: targets.cancelToSignalP99Ms, ...common });
}
reportWorkerOverhead(overhead);
reportBacklog(small, large);
if (historyCost) reportHistoryCost(historyCost);
if (historyPrune) reportHistoryPrune(historyPrune);
reportXminHold(xmin, 1);
report({ figure: 'dequeue-explain-ms', value: round(median(explains.map((e) => e.executionMs)), 2), unit: 'ms', summary: true, pending: settings.backlog.large,
  usesReadyIndex: explains.every((e) => e.usesReadyIndex), seqScanOnTasks: explains.some((e) => e.seqScanOnTasks) });
report({ figure: 'machine-after', value: cpus().length, unit: 'cpus', loadAverage1m: round(loadavg()[0]!, 2) });
