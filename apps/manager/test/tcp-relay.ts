// A loopback TCP relay in front of the test PostgreSQL, to play a database that is not there yet, goes away or goes
// silent (a network partition: connections accepted, nothing ever answered) — without touching the machine's cluster,
// which other suites share.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { portOutsideEphemeralRange } from '../src/testing.js';

export type RelayMode = 'relay' | 'silent';

export class TcpRelay {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly pairs = new Set<[Socket, Socket]>();
  mode: RelayMode = 'relay';
  /** Connections accepted so far (each a try of the manager's to reach its database). */
  accepted = 0;

  private constructor(
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  /** A relay on a port that was free a moment ago; it does not listen until `listen()`. */
  static async reserve(targetUrl: string): Promise<TcpRelay> {
    const t = new URL(targetUrl);
    // Not an ephemeral port: the manager keeps connecting while the relay is not listening yet.
    return new TcpRelay(await portOutsideEphemeralRange(), { host: t.hostname, port: Number(t.port || 5432) });
  }

  /** `url` with its host and port replaced by the relay's. */
  urlFor(url: string): string {
    const u = new URL(url);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString();
  }

  async listen(): Promise<void> {
    this.server = createServer((client) => {
      this.track(client);
      this.accepted++;
      if (this.mode === 'silent') return; // accepted, never answered
      const upstream = this.track(connect(this.target.port, this.target.host));
      client.pipe(upstream).pipe(client);
      const pair: [Socket, Socket] = [client, upstream];
      this.pairs.add(pair);
      client.on('close', () => this.pairs.delete(pair));
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
  }

  /**
   * The database host vanishes without a word (a node lost, a partition): the connections made so far stay open but
   * carry nothing more either way, and new ones are accepted and never answered.
   */
  freeze(): void {
    this.mode = 'silent';
    for (const [client, upstream] of this.pairs) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
    }
  }

  /** Cuts every connection made so far (as a restart or a partition would); new ones follow `mode`. */
  cutAll(): void {
    for (const s of this.sockets) s.destroy();
  }

  async close(): Promise<void> {
    this.cutAll();
    await new Promise((resolve) => (this.server ? this.server.close(resolve) : resolve(undefined)));
  }

  private track(s: Socket): Socket {
    this.sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => this.sockets.delete(s));
    return s;
  }
}
