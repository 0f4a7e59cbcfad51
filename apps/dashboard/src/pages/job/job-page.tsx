// One job: its details and lifecycle actions, then its stages as a timeline with each stage's tasks.
import { Link } from 'wouter';
import { api } from '../../api/endpoints.js';
import { JsonDetails } from '../../components/json-details.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { ProgressBar } from '../../components/progress-bar.js';
import { Placeholder } from '../../components/section.js';
import { StatusBadge } from '../../components/status-badge.js';
import { TaskCounts } from '../../components/task-counts.js';
import { useRef } from 'react';
import { LiveContext, useEventStream } from '../../hooks/use-event-stream.js';
import { usePolling } from '../../hooks/use-polling.js';
import { formatDateTime } from '../../lib/format.js';
import { toneOf } from '../../lib/statuses.js';
import { JobActions } from './job-actions.js';
import { HistoryTimeline } from './history-timeline.js';
import { StageTimeline } from './stage-timeline.js';

export function JobPage({ jobId }: { jobId: string }) {
  // The job's event stream says when to load again; polling only while it is not open.
  const refresh = useRef<() => void>(() => undefined);
  const stream = useEventStream(`/jobs/${jobId}/events`, () => refresh.current());
  const job = usePolling(`/jobs/${jobId}?include=stages`, (signal) => api.getJobWithStages(jobId, signal), { poll: !stream.live });
  refresh.current = job.refresh;
  const j = job.data;

  if (!j) {
    return (
      <div className="page">
        <p className="breadcrumb">
          <Link href="/jobs">← Jobs</Link>
        </p>
        {job.error ? (
          job.error.code === 'JOB_NOT_FOUND' || job.error.code === 'VALIDATION_FAILED' ? (
            <section className="empty" data-testid="job-not-found">
              <h1>Job not found</h1>
              <p className="muted">
                No job with id <code>{jobId}</code> is visible to this API key.
              </p>
            </section>
          ) : (
            <ProblemNotice error={job.error} />
          )
        ) : (
          <Placeholder>Loading…</Placeholder>
        )}
      </div>
    );
  }

  return (
    <LiveContext.Provider value={stream}>
    <div className="page" data-testid="job-page" data-job-id={j.id} data-status={j.status} data-live={stream.live ? 'stream' : 'polling'}>
      <p className="breadcrumb">
        <Link href="/jobs">← Jobs</Link>
      </p>
      <header className="job-head card">
        <div className="job-head__title">
          <h1>{j.name}</h1>
          <StatusBadge status={j.status} />
          <span className={`priority priority--${j.priority}`}>{j.priority}</span>
        </div>
        <ProgressBar percent={j.percentage} label="Job progress" tone={toneOf(j.status)} />
        <TaskCounts summary={j.summary} />
        <JobActions job={j} onChanged={job.refresh} />
        {job.error && <ProblemNotice error={job.error} />}
        <dl className="meta">
          <div>
            <dt>Id</dt>
            <dd className="mono">{j.id}</dd>
          </div>
          <div>
            <dt>Tenant</dt>
            <dd>{j.tenantId}</dd>
          </div>
          <div>
            <dt>Created</dt>
            <dd>{formatDateTime(j.createdAt)}</dd>
          </div>
          <div>
            <dt>Started</dt>
            <dd>{formatDateTime(j.startedAt)}</dd>
          </div>
          <div>
            <dt>Updated</dt>
            <dd>{formatDateTime(j.updatedAt)}</dd>
          </div>
          <div>
            <dt>Finished</dt>
            <dd>{formatDateTime(j.finishedAt)}</dd>
          </div>
          {j.expiresAt && (
            <div>
              <dt>Expires</dt>
              <dd>{formatDateTime(j.expiresAt)}</dd>
            </div>
          )}
          <div>
            <dt>Stages run</dt>
            <dd>{j.parallelStages ? 'in parallel' : 'in order'}</dd>
          </div>
          {j.idempotencyKey && (
            <div>
              <dt>Idempotency key</dt>
              <dd className="mono">{j.idempotencyKey}</dd>
            </div>
          )}
          <div>
            <dt>Data</dt>
            <dd>
              <JsonDetails value={j.data} label="Job data" />
            </dd>
          </div>
          <div>
            <dt>User metadata</dt>
            <dd>
              <JsonDetails value={Object.keys(j.userMetadata).length ? j.userMetadata : null} label="User metadata" />
            </dd>
          </div>
        </dl>
      </header>
      <StageTimeline stages={j.stages ?? []} onChanged={job.refresh} />
      <HistoryTimeline jobId={j.id} />
    </div>
    </LiveContext.Provider>
  );
}
