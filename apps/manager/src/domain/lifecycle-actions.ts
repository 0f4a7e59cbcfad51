// The statuses each lifecycle call accepts (tables in @jobnik/contracts/states, shared with the dashboard).
// Checked before the state machines: resume means "from PAUSED" and retry "from FAILED or ABORTED", even
// where the machine has an edge to the same target for another reason.
import { JOB_ACTION_SOURCES, STAGE_ACTION_SOURCES, type JobAction, type JobStatus, type StageAction, type StageStatus } from '@jobnik/contracts';
import { IllegalActionError } from './errors.js';

export function assertJobAction(id: string, action: JobAction, status: JobStatus): void {
  const accepted = JOB_ACTION_SOURCES[action];
  if (!accepted.includes(status)) throw new IllegalActionError('job', id, action, status, accepted);
}

export function assertStageAction(id: string, action: StageAction, status: StageStatus): void {
  const accepted = STAGE_ACTION_SOURCES[action];
  if (!accepted.includes(status)) throw new IllegalActionError('stage', id, action, status, accepted);
}
