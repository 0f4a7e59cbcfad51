// Task states: WAITING (stage not open) → PENDING → IN_PROGRESS → COMPLETED | FAILED, with retries,
// pause/resume and abort. FAILED and ABORTED can be reopened by an explicit job retry.
import { FINAL_TASK_STATUSES, TASK_TRANSITIONS, type TaskStatus } from '@jobnik/contracts';
import { StateMachine } from './state-machine.js';

export const taskMachine = new StateMachine<TaskStatus>('task', TASK_TRANSITIONS, FINAL_TASK_STATUSES);
