import { describe, expect, it } from 'vitest';
import { jobActionAllowed, stageActionAllowed, type JobActionName } from './lifecycle-actions.js';
import type { JobStatus } from '../api/api-types.js';
import { JOB_STATUSES, STAGE_STATUSES } from './statuses.js';

function allowedFor(status: JobStatus): JobActionName[] {
  return (['cancel', 'suspend', 'resume', 'retry'] as const).filter((a) => jobActionAllowed(a, status));
}

describe('job actions', () => {
  it('offers what each status can do', () => {
    expect(allowedFor('CREATED')).toEqual(['cancel', 'suspend']);
    expect(allowedFor('PENDING')).toEqual(['cancel', 'suspend']);
    expect(allowedFor('IN_PROGRESS')).toEqual(['cancel', 'suspend']);
    expect(allowedFor('PAUSED')).toEqual(['cancel', 'resume']);
    expect(allowedFor('COMPLETED')).toEqual([]);
    expect(allowedFor('FAILED')).toEqual(['retry']);
    expect(allowedFor('ABORTED')).toEqual(['retry']);
  });

  it('offers cancel exactly while the job is not final', () => {
    expect(JOB_STATUSES.filter((s) => jobActionAllowed('cancel', s))).toEqual(['CREATED', 'PENDING', 'IN_PROGRESS', 'PAUSED']);
  });
});

describe('stage actions', () => {
  it('never offers anything on a completed stage and resume only when paused', () => {
    for (const s of STAGE_STATUSES) {
      expect(stageActionAllowed('resume', s)).toBe(s === 'PAUSED');
    }
    expect(['cancel', 'suspend', 'resume'].some((a) => stageActionAllowed(a as 'cancel', 'COMPLETED'))).toBe(false);
    expect(stageActionAllowed('suspend', 'WAITING')).toBe(true);
    expect(stageActionAllowed('cancel', 'PAUSED')).toBe(true);
  });
});
