// Hot-path SQL for tooling (benchmarks run EXPLAIN on exactly what the manager prepares).
export { DEQUEUE, DEQUEUE_LOCKED } from './store/dequeue.js';
export { COMPLETE } from './store/acks.js';
export { SWEEP } from './store/sweep.js';
export { CLAIM as WEBHOOK_CLAIM, CLAIM_WALK_ENDPOINTS } from './store/webhooks.js';
