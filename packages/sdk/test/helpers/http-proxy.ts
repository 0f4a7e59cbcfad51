// A loopback TCP proxy between the SDK and a real manager, for the race tests: it holds the requests of a
// route until released, loses the answer of one request after the manager applied it (the connection is
// reset instead), and records the request lines it forwarded. Requests are matched by their first line
// ("POST /tasks/complete"); the SDK sends one request at a time per connection (no pipelining).
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

const REQUEST_LINE = /^(GET|POST|PUT|PATCH|DELETE) [^\r\n]*/;

export class HttpProxy {
  /** First line ("POST /dequeue HTTP/1.1") of every request, in the order they arrived. */
  readonly requests: string[] = [];
  private holdPrefix: string | undefined;
  private held: (() => void)[] = [];
  private dropPrefix: string | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;

  private constructor(target: URL) {
    this.server = createServer((client) => this.pipe(client, target.hostname, Number(target.port)));
  }

  static async start(target: string): Promise<HttpProxy> {
    const proxy = new HttpProxy(new URL(target));
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Requests whose first line starts with `prefix` wait (unsent) until release(). */
  hold(prefix: string): void {
    this.holdPrefix = prefix;
  }

  /** Sends every held request on, and stops holding. */
  release(): void {
    this.holdPrefix = undefined;
    for (const go of this.held.splice(0)) go();
  }

  /** Requests waiting in hold(). */
  get holding(): number {
    return this.held.length;
  }

  /** The next request starting with `prefix` reaches the manager, but its answer is lost: the client's connection is reset. */
  dropNextAnswer(prefix: string): void {
    this.dropPrefix = prefix;
  }

  count(prefix: string): number {
    return this.requests.filter((r) => r.startsWith(prefix)).length;
  }

  async close(): Promise<void> {
    this.release();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private pipe(client: Socket, host: string, port: number): void {
    const upstream = connect(port, host);
    this.sockets.add(client).add(upstream);
    let loseAnswer = false;
    // Chunks go upstream in order; a held request's chunks (and everything after) wait for release.
    let sending = Promise.resolve();
    client.on('data', (chunk: Buffer) => {
      const line = REQUEST_LINE.exec(chunk.toString('latin1', 0, 256))?.[0];
      let gate: Promise<void> | undefined;
      if (line) {
        this.requests.push(line);
        if (this.holdPrefix && line.startsWith(this.holdPrefix)) gate = new Promise<void>((resolve) => this.held.push(resolve));
        if (this.dropPrefix && line.startsWith(this.dropPrefix)) {
          this.dropPrefix = undefined;
          loseAnswer = true;
        }
      }
      sending = sending.then(async () => {
        await gate;
        if (!upstream.destroyed) upstream.write(chunk);
      });
    });
    upstream.on('data', (chunk: Buffer) => {
      if (loseAnswer) {
        client.resetAndDestroy();
        upstream.destroy();
        return;
      }
      client.write(chunk);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  }
}
