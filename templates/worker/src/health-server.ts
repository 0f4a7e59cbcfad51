// The worker's own HTTP endpoints for Kubernetes and Prometheus: /health/live, /health/ready, /metrics.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inject, injectable } from './di.js';
import type { Registry } from 'prom-client';
import type { Logger } from 'pino';
import { ManagerReadiness } from './manager-readiness.js';
import { TOKENS } from './tokens.js';

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
  res.end(body);
}

/** The health port could not be opened: taken by another process, or not this user's to open. */
export class HealthPortError extends Error {
  override readonly name = 'HealthPortError';
  constructor(
    readonly port: number,
    readonly code: 'EADDRINUSE' | 'EACCES',
  ) {
    const why = code === 'EADDRINUSE' ? 'is already in use by another process' : 'may not be opened by this user (a port below 1024?)';
    super(`health port ${port} ${why} (${code}): choose another with WORKER_HEALTH_PORT (health.port)`);
  }
}

@injectable()
export class HealthServer {
  private server: Server | null = null;

  constructor(
    @inject(TOKENS.MetricsRegistry) private readonly registry: Registry,
    @inject(ManagerReadiness) private readonly readiness: ManagerReadiness,
    @inject(TOKENS.Logger) private readonly logger: Logger,
  ) {}

  /** Listens on `port` (0: a free one); resolves with the bound port, rejects with a HealthPortError if it is taken. */
  async listen(port: number): Promise<number> {
    const server = createServer((req, res) => {
      this.route(req, res).catch((err: unknown) => {
        this.logger.error({ err }, 'health endpoint failed');
        if (!res.headersSent) send(res, 500, 'text/plain', 'internal error\n');
        else res.destroy();
      });
    });
    // Probes must not keep the process alive after shutdown.
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => {
        // The operator's to fix, so a line naming the setting rather than a stack trace (see start-failure.ts).
        reject(err.code === 'EADDRINUSE' || err.code === 'EACCES' ? new HealthPortError(port, err.code) : err);
      });
      server.listen(port, () => resolve());
    });
    this.server = server;
    return (server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed\n');
    switch (path) {
      case '/health/live':
        return send(res, 200, 'application/json', JSON.stringify({ status: 'ok' }));
      case '/health/ready': {
        const r = await this.readiness.check();
        const body = r.ready ? { status: 'ok', ...(r.degraded ? { degraded: r.degraded } : {}) } : { status: 'unavailable', reason: r.reason };
        return send(res, r.ready ? 200 : 503, 'application/json', JSON.stringify(body));
      }
      case '/metrics':
        return send(res, 200, this.registry.contentType, await this.registry.metrics());
      default:
        return send(res, 404, 'text/plain', 'not found\n');
    }
  }
}
