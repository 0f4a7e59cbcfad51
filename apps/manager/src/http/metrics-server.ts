// The separate /metrics listener (JOBNIK_METRICS_LISTEN=port): Prometheus scrapes it on its own port, which the
// Service may expose to the cluster while an Ingress routes only the API port. Serves nothing else.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/** What the listener serves: the manager's scrape (ManagerMetrics). */
export interface Exposition {
  readonly contentType: string;
  exposition(): Promise<string>;
}

export async function startMetricsServer(metrics: Exposition, host: string, port: number, logger: Logger): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('only GET /metrics is served on this port\n');
      return;
    }
    metrics.exposition().then(
      (text) => res.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' }).end(text),
      (err: unknown) => {
        logger.warn({ err }, 'collecting metrics failed');
        res.writeHead(500, { 'content-type': 'text/plain' }).end('collecting metrics failed\n');
      },
    );
  });
  server.keepAliveTimeout = 65_000; // longer than Prometheus' idle connection reuse, so scrapes reuse one socket
  await new Promise<void>((resolve, reject) => {
    // A port that is taken names this listener's setting in the start's one line (start-failure.ts), not the API's.
    server.once('error', (err) => reject(Object.assign(err, { setting: 'JOBNIK_METRICS_PORT (metrics.port) or JOBNIK_HOST (http.host)' })));
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
