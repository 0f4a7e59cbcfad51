// Cancel, suspend, resume and retry for a whole job, each confirmed in a dialog first.
import type { Job } from '../../api/api-types.js';
import { api, type JobAction } from '../../api/endpoints.js';
import { ConfirmButton } from '../../components/confirm-button.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { useAction } from '../../hooks/use-action.js';
import { jobActionAllowed } from '../../lib/lifecycle-actions.js';

const ACTIONS: ReadonlyArray<{ action: JobAction; label: string; title: string; message: string; danger?: boolean }> = [
  {
    action: 'cancel',
    label: 'Cancel job',
    title: 'Cancel this job?',
    message: 'Waiting and pending tasks are aborted at once; running tasks are told to stop at their next heartbeat. The job ends as ABORTED.',
    danger: true,
  },
  {
    action: 'suspend',
    label: 'Suspend job',
    title: 'Suspend this job?',
    message: 'No new tasks are handed out; running tasks are told to save a checkpoint and stop. Resume it later to go on from there.',
  },
  {
    action: 'resume',
    label: 'Resume job',
    title: 'Resume this job?',
    message: 'Paused tasks become ready again and restart from their last checkpoint.',
  },
  {
    action: 'retry',
    label: 'Retry failed tasks',
    title: 'Retry the failed tasks?',
    message: 'Failed and aborted tasks get a fresh set of attempts and the job opens again.',
  },
];

export function JobActions({ job, onChanged }: { job: Job; onChanged: () => void }) {
  const act = useAction(onChanged);
  return (
    <div className="actions" role="group" aria-label="Job actions">
      {ACTIONS.map((a) => (
        <ConfirmButton
          key={a.action}
          label={a.label}
          title={a.title}
          message={
            <p>
              <strong>{job.name}</strong> <span className="mono muted">{job.id}</span>
              <br />
              {a.message}
            </p>
          }
          confirmLabel={`Yes, ${a.label.toLowerCase()}`}
          danger={a.danger}
          disabled={!jobActionAllowed(a.action, job.status)}
          onConfirm={() => act.run(() => api.jobAction(job.id, a.action))}
          testId={`job-action-${a.action}`}
        />
      ))}
      {act.error && <ProblemNotice error={act.error} onDismiss={act.clearError} />}
    </div>
  );
}
