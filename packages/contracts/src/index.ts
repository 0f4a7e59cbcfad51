// @jobnik/contracts: every wire shape of the Jobnik API, once.
export * from './enums.js';
export * from './errors.js';
export * from './common.js';
export * from './task.js';
export * from './stage.js';
export * from './job.js';
export * from './queue.js';
export * from './ack.js';
export * from './directives.js';
export * from './stats.js';
export * from './api-key.js';
export * from './webhook.js';
export * from './job-type.js';
export * from './schedule.js';
export * from './route.js';
export * from './routes.js';
export * from './openapi.js';
