// Which lifecycle buttons make sense for a job or stage in a given status. The manager's state
// machines are the authority (an illegal call answers 409 ILLEGAL_TRANSITION, shown as an error);
// these only spare the reader buttons that cannot work.
import type { JobStatus, StageStatus } from '../api/api-types.js';

export type JobActionName = 'cancel' | 'suspend' | 'resume' | 'retry';
export type StageActionName = 'cancel' | 'suspend' | 'resume';

const FINAL = new Set<string>(['COMPLETED', 'FAILED', 'ABORTED']);

export function jobActionAllowed(action: JobActionName, status: JobStatus): boolean {
  switch (action) {
    case 'cancel':
      return !FINAL.has(status);
    case 'suspend':
      return status === 'CREATED' || status === 'PENDING' || status === 'IN_PROGRESS';
    case 'resume':
      return status === 'PAUSED';
    case 'retry':
      return status === 'FAILED' || status === 'ABORTED';
  }
}

export function stageActionAllowed(action: StageActionName, status: StageStatus): boolean {
  switch (action) {
    case 'cancel':
      return !FINAL.has(status);
    case 'suspend':
      return status === 'CREATED' || status === 'WAITING' || status === 'PENDING' || status === 'IN_PROGRESS';
    case 'resume':
      return status === 'PAUSED';
  }
}
