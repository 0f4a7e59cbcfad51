// Starts a manager listening on its configured port; used by the CLI and by tests.
import type { Logger } from 'pino';
import { buildManager, type Manager } from './app.js';
import { type DeepPartial, loadConfig, type ManagerConfig } from './config.js';
import { startMetricsServer } from './http/metrics-server.js';

export interface StartedManager extends Manager {
  url: string;
  /** Base URL of the separate /metrics listener (JOBNIK_METRICS_LISTEN=port), else null. */
  metricsUrl: string | null;
}

export async function startManager(overrides: DeepPartial<ManagerConfig> = {}, logger?: Logger): Promise<StartedManager> {
  const config = loadConfig(overrides);
  const manager = await buildManager(config, logger);
  try {
    const address = await manager.app.listen({ host: config.http.host, port: config.http.port });
    const url = address.replace('0.0.0.0', '127.0.0.1').replace('[::]', '127.0.0.1');
    if (config.metrics.listen !== 'port') return { ...manager, url, metricsUrl: null };
    const metricsServer = await startMetricsServer(manager.metrics, config.http.host, config.metrics.port, manager.logger);
    const close = manager.close;
    return {
      ...manager,
      url,
      metricsUrl: metricsServer.url,
      async close() {
        await metricsServer.close();
        await close();
      },
    };
  } catch (err) {
    await manager.close();
    throw err;
  }
}
