// Task states: WAITING (stage not open) → PENDING → IN_PROGRESS → COMPLETED | FAILED, with retries,
// pause/resume and abort. FAILED and ABORTED can be reopened by an explicit job retry.
import type { TaskStatus } from '@jobnik/contracts';
import { StateMachine } from './state-machine.js';

export const taskMachine = new StateMachine<TaskStatus>(
  'task',
  {
    WAITING: ['PENDING', 'PAUSED', 'ABORTED'],
    PENDING: ['IN_PROGRESS', 'PAUSED', 'ABORTED', 'WAITING'],
    IN_PROGRESS: ['COMPLETED', 'FAILED', 'PENDING', 'PAUSED', 'ABORTED'],
    PAUSED: ['PENDING', 'ABORTED'],
    COMPLETED: [],
    FAILED: ['PENDING', 'WAITING'],
    ABORTED: ['PENDING', 'WAITING'],
  },
  ['COMPLETED', 'FAILED', 'ABORTED'],
);
