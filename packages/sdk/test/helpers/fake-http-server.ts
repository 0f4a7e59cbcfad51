// A scripted HTTP server (node:http) for unit tests of the transport and the ack buffer: records every
// request and answers with what the test's handler returns. Not a stand-in for the manager's logic.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export interface Reply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Never answer (for timeout tests). */
  hang?: boolean;
}

export interface FakeServer {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function fakeHttpServer(handler: (req: RecordedRequest) => Reply | Promise<Reply>): Promise<FakeServer> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const rec: RecordedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: text ? JSON.parse(text) : undefined };
      requests.push(rec);
      void Promise.resolve(handler(rec)).then((reply) => {
        if (reply.hang) return;
        const status = reply.status ?? 200;
        const type = status >= 400 ? 'application/problem+json' : 'application/json';
        res.writeHead(status, { 'content-type': type, ...reply.headers });
        res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const problem = (code: string, status: number, detail?: string) => ({ type: 'about:blank', title: code, status, code, ...(detail ? { detail } : {}) });
