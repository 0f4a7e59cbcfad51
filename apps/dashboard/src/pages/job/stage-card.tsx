// One stage on the timeline: order, type, status, task counts and progress, its actions, and its tasks.
import { useId, useState } from 'react';
import type { Stage } from '../../api/api-types.js';
import { api, type StageAction } from '../../api/endpoints.js';
import { ConfirmButton } from '../../components/confirm-button.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { ProgressBar } from '../../components/progress-bar.js';
import { StatusBadge } from '../../components/status-badge.js';
import { TaskCounts } from '../../components/task-counts.js';
import { useAction } from '../../hooks/use-action.js';
import { formatDateTime } from '../../lib/format.js';
import { stageActionAllowed } from '../../lib/lifecycle-actions.js';
import { toneOf } from '../../lib/statuses.js';
import { TaskTable } from './task-table.js';

const ACTIONS: ReadonlyArray<{ action: StageAction; label: string; title: string; message: string; danger?: boolean }> = [
  { action: 'cancel', label: 'Cancel stage', title: 'Cancel this stage?', message: 'Its open tasks are aborted, and so is the job: later stages could never run.', danger: true },
  { action: 'suspend', label: 'Suspend stage', title: 'Suspend this stage?', message: 'Its tasks are paused; running ones are told to save a checkpoint and stop.' },
  { action: 'resume', label: 'Resume stage', title: 'Resume this stage?', message: 'Its paused tasks become ready again.' },
];

export function StageCard({ stage, initiallyOpen, onChanged }: { stage: Stage; initiallyOpen: boolean; onChanged: () => void }) {
  const [open, setOpen] = useState(initiallyOpen);
  const act = useAction(onChanged);
  const titleId = useId();
  const tasksId = useId();
  return (
    <li
      className={`stage card stage--${toneOf(stage.status)}`}
      aria-labelledby={titleId}
      data-testid="stage-card"
      data-stage-id={stage.id}
      data-stage-order={stage.order}
      data-stage-type={stage.type}
      data-status={stage.status}
    >
      <div className="stage__marker" aria-hidden="true">
        {stage.order}
      </div>
      <div className="stage__body">
        <div className="stage__head">
          <h3 id={titleId}>
            <span className="muted">Stage {stage.order} · </span>
            <span className="mono">{stage.type}</span>
          </h3>
          <StatusBadge status={stage.status} />
          {!stage.failFast && <span className="tag" title="Every task runs; the stage fails at the end if any failed">continue on failure</span>}
          {stage.held && (
            <span className="tag" title="Created with hold: none of its tasks is handed out until it is released" data-testid="stage-held">
              held
            </span>
          )}
        </div>
        <ProgressBar percent={stage.percentage} label={`Progress of stage ${stage.order} (${stage.type})`} tone={toneOf(stage.status)} />
        <TaskCounts summary={stage.summary} />
        <p className="stage__times muted">
          Started {formatDateTime(stage.startedAt)} · Finished {formatDateTime(stage.finishedAt)}
        </p>
        <div className="actions" role="group" aria-label={`Stage ${stage.order} actions`}>
          {ACTIONS.map((a) => (
            <ConfirmButton
              key={a.action}
              small
              label={a.label}
              title={a.title}
              message={
                <p>
                  Stage {stage.order} <span className="mono">{stage.type}</span>
                  <br />
                  {a.message}
                </p>
              }
              confirmLabel={`Yes, ${a.label.toLowerCase()}`}
              danger={a.danger}
              disabled={!stageActionAllowed(a.action, stage.status)}
              onConfirm={() => act.run(() => api.stageAction(stage.id, a.action))}
              testId={`stage-action-${a.action}`}
            />
          ))}
          {stage.held && (
            <ConfirmButton
              small
              label="Release stage"
              title="Release this stage?"
              message={
                <p>
                  Stage {stage.order} <span className="mono">{stage.type}</span>
                  <br />
                  Its tasks are handed out once the stages before it are done; tasks can still be added after.
                </p>
              }
              confirmLabel="Yes, release stage"
              disabled={stage.status !== 'WAITING'}
              onConfirm={() => act.run(() => api.releaseStage(stage.id))}
              testId="stage-action-release"
            />
          )}
          <button type="button" className="button button--ghost button--small" aria-expanded={open} aria-controls={tasksId} onClick={() => setOpen((o) => !o)} data-testid="stage-tasks-toggle">
            {open ? 'Hide tasks' : 'Show tasks'}
          </button>
        </div>
        {act.error && <ProblemNotice error={act.error} onDismiss={act.clearError} />}
        <div id={tasksId} hidden={!open}>
          {open && <TaskTable stage={stage} />}
        </div>
      </div>
    </li>
  );
}
