// What route plugins get: the request services and the edge limits. Routes call services only.
import type { ManagerConfig } from '../config.js';
import type { RouteLimits } from '../http/define-route.js';
import type { ManagerMetrics } from '../metrics.js';
import type { Services } from '../wiring.js';

export interface RouteContext extends Services {
  metrics: ManagerMetrics;
  limits: RouteLimits;
  /** Where /metrics is served and whether it needs a key (config `metrics`). */
  metricsExposure: ManagerConfig['metrics'];
}
