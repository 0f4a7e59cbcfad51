// The manager's routes the dashboard calls, typed from the route table in @jobnik/contracts.
import type { AnswerOf, BodyOf, TaskStatus } from './api-types.js';
import { apiRequest } from './client.js';
import { toQueryString } from '../lib/query-string.js';

const seg = encodeURIComponent;

export type JobAction = 'cancel' | 'suspend' | 'resume' | 'retry';
export type StageAction = 'cancel' | 'suspend' | 'resume';

export interface TaskListOptions {
  statuses?: readonly TaskStatus[];
  limit?: number;
  cursor?: string;
}

export const api = {
  /** `query` is GET /jobs's query string, as built by jobFiltersToApiQuery. */
  listJobs: (query: string, signal?: AbortSignal) => apiRequest<AnswerOf<'listJobs'>>('GET', `/jobs${query}`, { signal }),
  getJobWithStages: (jobId: string, signal?: AbortSignal) =>
    apiRequest<AnswerOf<'getJob'>>('GET', `/jobs/${seg(jobId)}?include=stages`, { signal }),
  getJobHistory: (jobId: string, signal?: AbortSignal) =>
    apiRequest<AnswerOf<'getJobHistory'>>('GET', `/jobs/${seg(jobId)}/history?limit=200`, { signal }),
  jobAction: (jobId: string, action: JobAction) => apiRequest<AnswerOf<'cancelJob'>>('POST', `/jobs/${seg(jobId)}/${action}`),

  listStageTasks: (stageId: string, o: TaskListOptions, signal?: AbortSignal) =>
    apiRequest<AnswerOf<'listStageTasks'>>('GET', `/stages/${seg(stageId)}/tasks${toQueryString({ status: o.statuses, limit: o.limit, cursor: o.cursor })}`, { signal }),
  stageAction: (stageId: string, action: StageAction) => apiRequest<AnswerOf<'cancelStage'>>('POST', `/stages/${seg(stageId)}/${action}`),
  releaseStage: (stageId: string) => apiRequest<AnswerOf<'releaseStage'>>('POST', `/stages/${seg(stageId)}/release`),

  listQueues: (q: { active?: boolean; tenantId?: string; limit?: number; cursor?: string }, signal?: AbortSignal) => apiRequest<AnswerOf<'listQueues'>>('GET', `/queues${toQueryString(q)}`, { signal }),
  updateQueue: (stageType: string, tenantId: string, body: BodyOf<'updateQueue'>) =>
    apiRequest<AnswerOf<'updateQueue'>>('PATCH', `/queues/${seg(stageType)}${toQueryString({ tenantId })}`, { body }),

  listQueueGroups: (signal?: AbortSignal) => apiRequest<AnswerOf<'listQueueGroups'>>('GET', '/queue-groups', { signal }),
  listRateLimits: (signal?: AbortSignal) => apiRequest<AnswerOf<'listRateLimits'>>('GET', '/rate-limits', { signal }),

  getStats: (signal?: AbortSignal) => apiRequest<AnswerOf<'getStats'>>('GET', '/stats', { signal }),
  listWorkers: (signal?: AbortSignal) => apiRequest<AnswerOf<'listWorkers'>>('GET', '/workers', { signal }),
  listSchedules: (q: { limit?: number; cursor?: string }, signal?: AbortSignal) => apiRequest<AnswerOf<'listSchedules'>>('GET', `/schedules${toQueryString(q)}`, { signal }),
};
