// What route plugins get: the request services and the edge limits. Routes call services only.
import type { RouteLimits } from '../http/define-route.js';
import type { ManagerMetrics } from '../metrics.js';
import type { Services } from '../wiring.js';

export interface RouteContext extends Services {
  metrics: ManagerMetrics;
  limits: RouteLimits;
}
