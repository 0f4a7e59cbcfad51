// Overview: throughput and failures, queue depths with pause/resume, job groups and rate limits, workers seen recently, jobs by name and status.
import { FlowSection } from './flow-section.js';
import { JobsByNameSection } from './jobs-by-name-section.js';
import { QueuesSection } from './queues-section.js';
import { ThroughputSection } from './throughput-section.js';
import { WorkersSection } from './workers-section.js';
import { usePolling } from '../../hooks/use-polling.js';
import { api } from '../../api/endpoints.js';

export function OverviewPage() {
  // One /stats call feeds two sections.
  const stats = usePolling('/stats', (signal) => api.getStats(signal));
  return (
    <div className="page">
      <h1 className="page__title">Overview</h1>
      <ThroughputSection stats={stats} />
      <QueuesSection />
      <FlowSection />
      <JobsByNameSection stats={stats} />
      <WorkersSection />
    </div>
  );
}
