// Job states: CREATED (no stages yet) → PENDING → IN_PROGRESS → COMPLETED | FAILED | ABORTED, PAUSED.
import { FINAL_JOB_STATUSES, JOB_TRANSITIONS, type JobStatus } from '@jobnik/contracts';
import { StateMachine } from './state-machine.js';

export const jobMachine = new StateMachine<JobStatus>('job', JOB_TRANSITIONS, FINAL_JOB_STATUSES);
