// BENCH_PG_DELAY_MS: the managers reach PostgreSQL through a loopback TCP proxy that holds every chunk this long in
// each direction, as a database across a network would (1 ms → a round trip of ~2 ms). Order is kept per direction.
// Off by default; the bench's own admin connections go direct.
import net from 'node:net';

let proxy: Promise<number> | undefined;

/** The proxy's port (started once, for the life of the process), forwarding to `host:port`. */
function start(host: string, port: number, delayMs: number): Promise<number> {
  proxy ??= new Promise((resolve, reject) => {
    const server = net.createServer((client) => {
      const upstream = net.connect(port, host);
      const relay = (from: net.Socket, to: net.Socket) => from.on('data', (chunk) => setTimeout(() => to.write(chunk), delayMs));
      relay(client, upstream);
      relay(upstream, client);
      const close = () => {
        client.destroy();
        upstream.destroy();
      };
      for (const s of [client, upstream]) s.on('error', close).on('close', close);
    });
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
  });
  return proxy;
}

/** `url` as the managers should use it: through the proxy when BENCH_PG_DELAY_MS is set. */
export async function delayed(url: string): Promise<string> {
  const delayMs = Number(process.env.BENCH_PG_DELAY_MS ?? 0);
  if (!(delayMs > 0)) return url;
  const u = new URL(url);
  const port = await start(u.hostname, Number(u.port || 5432), delayMs);
  u.hostname = '127.0.0.1';
  u.port = String(port);
  return u.toString();
}
