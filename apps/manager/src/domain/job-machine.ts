// Job states: CREATED (no stages yet) → PENDING → IN_PROGRESS → COMPLETED | FAILED | ABORTED, PAUSED.
import type { JobStatus } from '@jobnik/contracts';
import { StateMachine } from './state-machine.js';

export const jobMachine = new StateMachine<JobStatus>(
  'job',
  {
    CREATED: ['PENDING', 'PAUSED', 'ABORTED'],
    PENDING: ['IN_PROGRESS', 'PAUSED', 'COMPLETED', 'FAILED', 'ABORTED'],
    IN_PROGRESS: ['COMPLETED', 'FAILED', 'PAUSED', 'ABORTED'],
    PAUSED: ['PENDING', 'IN_PROGRESS', 'COMPLETED', 'FAILED', 'ABORTED'],
    COMPLETED: [],
    FAILED: ['PENDING'],
    ABORTED: ['PENDING'],
  },
  ['COMPLETED', 'FAILED', 'ABORTED'],
);
