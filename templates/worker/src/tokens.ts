// Injection tokens: everything the container hands out is asked for by one of these, never by class.
import type { Registry } from 'prom-client';
import type { Logger } from 'pino';
import type { ProducerClient, WorkerClient } from '@jobnik/sdk';
import type { WorkerConfig } from './config.js';
import type { WorkerJobs } from './jobs.js';
import type { TaskHandlerService } from './handlers/task-handler-service.js';

export const TOKENS = {
  Config: Symbol('Config'),
  Logger: Symbol('Logger'),
  MetricsRegistry: Symbol('MetricsRegistry'),
  WorkerClient: Symbol('WorkerClient'),
  ProducerClient: Symbol('ProducerClient'),
  /** The handler run for every configured stage type. */
  TaskHandler: Symbol('TaskHandler'),
  /** Math.random-like source the example handler uses to decide which tasks fail once (tests pin it). */
  Random: Symbol('Random'),
} as const;

/** What each token resolves to, for typed `resolve` calls. */
export interface TokenTypes {
  [TOKENS.Config]: WorkerConfig;
  [TOKENS.Logger]: Logger;
  [TOKENS.MetricsRegistry]: Registry;
  [TOKENS.WorkerClient]: WorkerClient<WorkerJobs>;
  [TOKENS.ProducerClient]: ProducerClient<WorkerJobs>;
  [TOKENS.TaskHandler]: TaskHandlerService;
  [TOKENS.Random]: () => number;
}
