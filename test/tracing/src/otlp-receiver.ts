// A real OTLP/HTTP trace receiver on loopback: accepts `POST /v1/traces` in OTLP JSON (what exporters send with
// OTEL_EXPORTER_OTLP_PROTOCOL=http/json) and keeps every span with its service name, parent and links.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedSpan {
  service: string;
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  links: { traceId: string; spanId: string }[];
  attributes: Record<string, unknown>;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
}
interface OtlpAttribute {
  key: string;
  value: OtlpValue;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: OtlpAttribute[];
  links?: { traceId: string; spanId: string }[];
}
interface OtlpTraces {
  resourceSpans?: { resource?: { attributes?: OtlpAttribute[] }; scopeSpans?: { spans?: OtlpSpan[] }[] }[];
}

const value = (v: OtlpValue): unknown => v.stringValue ?? v.intValue ?? v.boolValue ?? v.doubleValue;
const attributes = (list: OtlpAttribute[] = []) => Object.fromEntries(list.map((a) => [a.key, value(a.value)]));

export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  /** Requests refused (not OTLP JSON): a test asserts there were none. */
  readonly rejected: string[] = [];
  private server: Server | undefined;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.method !== 'POST' || req.url !== '/v1/traces' || !String(req.headers['content-type']).startsWith('application/json')) {
          this.rejected.push(`${req.method} ${req.url} ${req.headers['content-type']}`);
          res.writeHead(415, { 'content-type': 'application/json' }).end('{}');
          return;
        }
        this.accept(JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpTraces);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  private accept(body: OtlpTraces): void {
    for (const rs of body.resourceSpans ?? []) {
      const service = String(attributes(rs.resource?.attributes)['service.name'] ?? '');
      for (const ss of rs.scopeSpans ?? []) {
        for (const s of ss.spans ?? []) {
          this.spans.push({
            service,
            name: s.name,
            kind: s.kind,
            traceId: s.traceId,
            spanId: s.spanId,
            parentSpanId: s.parentSpanId || undefined,
            links: (s.links ?? []).map((l) => ({ traceId: l.traceId, spanId: l.spanId })),
            attributes: attributes(s.attributes),
          });
        }
      }
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** The spans of one trace as an indented tree (children under their parent), for a human to read. */
export function traceTree(spans: ReceivedSpan[], traceId: string): string {
  const mine = spans.filter((s) => s.traceId === traceId);
  const ids = new Set(mine.map((s) => s.spanId));
  const lines: string[] = [`trace ${traceId}`];
  const walk = (parent: string | undefined, depth: number) => {
    for (const s of mine.filter((x) => (parent === undefined ? !x.parentSpanId || !ids.has(x.parentSpanId) : x.parentSpanId === parent))) {
      lines.push(`${'  '.repeat(depth + 1)}${s.name}  [${s.service}] span ${s.spanId}${s.parentSpanId ? ` parent ${s.parentSpanId}` : ''}`);
      walk(s.spanId, depth + 1);
    }
  };
  walk(undefined, 0);
  const linked = spans.filter((s) => s.traceId !== traceId && s.links.some((l) => l.traceId === traceId));
  for (const s of linked) lines.push(`  linked: ${s.name}  [${s.service}] (trace ${s.traceId})`);
  return lines.join('\n');
}
