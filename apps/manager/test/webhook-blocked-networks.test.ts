// Webhook URLs are requests the manager makes from inside the operator's network (webhooks.blockedNetworks), over
// real HTTP on both stores: by default nothing reaches link-local (the cloud metadata services at 169.254.169.254),
// an address in a blocked network is refused when the job or schedule is created, and a host name is checked against
// what it resolves to at delivery — the receiver hears nothing and the delivery log says why.
import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlockedNetworks } from '../src/domain/blocked-networks.js';
import { webhookAgent } from '../src/loops/webhook-agent.js';
import { postWebhook } from '../src/loops/webhook-delivery.js';
import { testStores } from '../src/testing.js';
import { waitFor } from './api.js';
import { useManager } from './fixtures.js';

/** A receiver on loopback that counts what reaches it. */
function useReceiver(): { port: () => number; hits: string[] } {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(String(req.headers['x-jobnik-event']));
    req.resume();
    res.writeHead(204).end();
  });
  beforeAll(() => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve())));
  afterAll(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
  return { port: () => (server.address() as { port: number }).port, hits };
}

/** Creates a one-task job subscribed to job.started at `url` and starts it; returns the job's id. */
async function startHookedJob(a: ReturnType<typeof useManager>['a'], url: string, type: string): Promise<string> {
  const r = await a.post('/jobs', { name: 'hooked', webhooks: [{ url, events: ['job.started'] }], stages: [{ type, tasks: [{}] }] });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  await a.post('/dequeue', { workerId: 'w', max: 1, stageTypes: [type] });
  return r.body.id;
}

describe('blocked networks', () => {
  it('reads CIDRs, single addresses and private; IPv4-mapped IPv6 addresses count as their IPv4 address', () => {
    const b = BlockedNetworks.parse('private, 203.0.113.7');
    for (const a of ['127.0.0.1', '10.1.2.3', '172.31.0.1', '192.168.1.1', '100.64.0.1', '169.254.169.254', '0.0.0.0', '::1', '::', 'fd12::1', 'fe80::1', '::ffff:10.0.0.1', '203.0.113.7']) {
      expect(b.blocks(a), a).toBe(true);
    }
    for (const a of ['8.8.8.8', '172.32.0.1', '203.0.113.8', '2001:4860::8888', 'example.com']) expect(b.blocks(a), a).toBe(false);
    // URLs name addresses in many spellings; the URL parser's form is what is checked.
    for (const url of ['http://2130706433/', 'http://0x7f.1/', 'http://[::ffff:127.0.0.1]:8080/x', 'https://[::1]/']) expect(b.blockedLiteral(url), url).not.toBeNull();
    expect(b.blockedLiteral('http://localhost/')).toBeNull(); // a name: checked when resolved
    expect(BlockedNetworks.parse('').empty).toBe(true);
    expect(() => BlockedNetworks.parse('10.0.0.0/8,fc00::/129')).toThrow('"fc00::/129" is not a network');
  });
});

describe('a delivery whose URL names a blocked address', () => {
  const receiver = useReceiver();

  it('is not made (a URL stored before the setting changed), and says why', async () => {
    const blocked = BlockedNetworks.parse('127.0.0.0/8');
    const agent = webhookAgent(blocked);
    const url = `http://127.0.0.1:${receiver.port()}/hook`;
    const event = { id: 1, job_id: null, event: 'job.completed', url, tenant: 't', endpoint: `t ${url}`, secret: null, headers: null, payload: {}, attempts: 1 };
    try {
      expect(await postWebhook(event, '', 2_000, new AbortController().signal, { agent, blocked })).toEqual({ delivered: false, status: null, error: '127.0.0.1 is in webhooks.blockedNetworks', stopped: false });
      expect(receiver.hits).toEqual([]);
      const open = BlockedNetworks.parse('');
      expect(await postWebhook(event, '', 2_000, new AbortController().signal, { agent: webhookAgent(open), blocked: open })).toEqual({ delivered: true, status: 204 });
      expect(receiver.hits).toEqual(['job.completed']);
    } finally {
      await agent.close();
    }
  });
});

describe.each(testStores())('webhook networks on %s, by default', (store) => {
  const t = useManager(store, { webhooks: { pollMs: 50 } });
  const receiver = useReceiver();

  it('refuses the metadata address and other link-local URLs at creation, for jobs and schedule templates', async () => {
    for (const url of ['http://169.254.169.254/latest/meta-data/', 'http://[fe80::1]/hook', 'http://[::ffff:169.254.169.254]/', 'http://[fd00:ec2::254]/']) {
      const r = await t.a.post('/jobs', { name: 'ssrf', webhooks: [{ url: 'https://example.com/ok' }, { url }] });
      expect(r.status, url).toBe(400);
      expect(r.body.code).toBe('WEBHOOK_URL_BLOCKED');
      expect(r.body.errors.map((e: { path: string }) => e.path)).toEqual(['/body/webhooks/1/url']);
    }
    const s = await t.a.post('/schedules', { name: 'ssrf', cron: '0 * * * *', jobTemplate: { name: 'x', webhooks: [{ url: 'http://169.254.169.254/' }] } });
    expect(s.status).toBe(400);
    expect(s.body.errors.map((e: { path: string }) => e.path)).toEqual(['/body/jobTemplate/webhooks/0/url']);
    expect((await t.a.get('/jobs?name=ssrf')).body.items).toEqual([]);
  });

  it('delivers to loopback, which only an operator blocks', async () => {
    const jobId = await startHookedJob(t.a, `http://127.0.0.1:${receiver.port()}/hook`, `wbn-default-${store}`);
    await waitFor(async () => (await t.a.get(`/jobs/${jobId}/webhook-deliveries`)).body.items, (v: any[]) => v[0]?.deliveredAt != null);
    expect(receiver.hits).toEqual(['job.started']);
  });
});

describe.each(testStores())('webhook networks on %s, with private blocked', (store) => {
  const t = useManager(store, { webhooks: { pollMs: 50, retryBaseMs: 50, maxAttempts: 2, blockedNetworks: 'private' } });
  const receiver = useReceiver();

  it('refuses a private address at creation', async () => {
    const r = await t.a.post('/jobs', { name: 'ssrf', webhooks: [{ url: `http://127.0.0.1:${receiver.port()}/hook` }] });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('WEBHOOK_URL_BLOCKED');
    expect(r.body.detail).toContain('127.0.0.1 is in a network webhooks may not reach');
  });

  it('does not connect to a name that resolves into a blocked network, and logs why', async () => {
    const jobId = await startHookedJob(t.a, `http://localhost:${receiver.port()}/hook`, `wbn-private-${store}`);
    const [d] = await waitFor(async () => (await t.a.get(`/jobs/${jobId}/webhook-deliveries`)).body.items, (v: any[]) => v[0]?.failedAt != null);
    expect(d.attempts).toBe(2);
    expect(d.lastError).toMatch(/^fetch failed: localhost \((127\.0\.0\.1|::1)\) is in webhooks\.blockedNetworks$/);
    expect(receiver.hits).toEqual([]);
  });
});

describe.each(testStores())('webhook networks on %s, with another network blocked', (store) => {
  const t = useManager(store, { webhooks: { pollMs: 50, blockedNetworks: '10.0.0.0/8' } });
  const receiver = useReceiver();

  it('resolves a name and connects to its allowed address', async () => {
    const jobId = await startHookedJob(t.a, `http://localhost:${receiver.port()}/hook`, `wbn-other-${store}`);
    await waitFor(async () => (await t.a.get(`/jobs/${jobId}/webhook-deliveries`)).body.items, (v: any[]) => v[0]?.deliveredAt != null);
    expect(receiver.hits).toEqual(['job.started']);
  });
});
