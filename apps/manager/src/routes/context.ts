// What route plugins get: the services and the edge limits.
import type { Db } from '../db/db.js';
import type { RouteLimits } from '../http/define-route.js';
import type { JobService } from '../services/job-service.js';
import type { LifecycleService } from '../services/lifecycle-service.js';
import type { WorkService } from '../services/work-service.js';
import type { StatsService } from '../services/stats-service.js';

export interface RouteContext {
  db: Db;
  jobs: JobService;
  lifecycle: LifecycleService;
  work: WorkService;
  stats: StatsService;
  limits: RouteLimits;
}
