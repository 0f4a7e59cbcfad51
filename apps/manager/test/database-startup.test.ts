// A manager started before its database is up waits for it (a pod scheduled before PostgreSQL, a failover under way)
// instead of dying at the first refused connection; one it cannot use says so in one line and exits 1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testStores, TEST_PG_ADMIN_URL, type TestDatabase } from '../src/testing.js';
import { api, waitFor } from './api.js';
import { runManager, spawnManager, type ManagerCli } from './manager-cli.js';
import { TcpRelay } from './tcp-relay.js';

const env = (own: Record<string, string>) => ({ JOBNIK_PORT: '0', JOBNIK_HOST: '127.0.0.1', JOBNIK_LOG_LEVEL: 'info', ...own });
const run = (command: 'serve' | 'migrate', own: Record<string, string>) => runManager(command, env(own));

const logLines = (stdout: string) =>
  stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { msg: string; attempt?: number; database?: string; error?: string });

describe.runIf(testStores().includes('postgres'))('starting before the database is reachable', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('retries with a warning per try, then exits 1 with one line naming the database and the error', async () => {
    const { port } = await TcpRelay.reserve(db.url); // nothing listens there
    const u = new URL(db.url);
    u.port = String(port);
    u.password = 'secret';
    const r = run('serve', { DATABASE_URL: u.toString(), JOBNIK_DB_STARTUP_WAIT_MS: '1500' });
    expect(r.status).toBe(1);
    const dbName = new URL(db.url).pathname;
    expect(r.stderr).toBe(`jobnik-manager: cannot start: the database at 127.0.0.1:${port}${dbName} did not answer within 1.5 s (database.startupWaitMs): connect ECONNREFUSED 127.0.0.1:${port}`);
    const waits = logLines(r.stdout).filter((l) => l.msg === 'database not reachable yet; waiting for it');
    expect(waits.length).toBeGreaterThanOrEqual(2);
    expect(waits.map((w) => w.attempt)).toEqual(waits.map((_, i) => i + 1));
    expect(waits[0]).toMatchObject({ database: `127.0.0.1:${port}${dbName}`, error: `connect ECONNREFUSED 127.0.0.1:${port}` });
    // The password in the URL is never printed.
    expect(r.stdout + r.stderr).not.toContain('secret');
  });

  it('waits for a host name that does not resolve yet (a database service not created yet), then names the lookup error', () => {
    const r = run('serve', { DATABASE_URL: 'postgres://root@jobnik-db.invalid:5432/jobnik', JOBNIK_DB_STARTUP_WAIT_MS: '800' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^jobnik-manager: cannot start: the database at jobnik-db\.invalid:5432\/jobnik did not answer within 0\.8 s \(database\.startupWaitMs\): getaddrinfo (ENOTFOUND|EAI_AGAIN) jobnik-db\.invalid$/);
    expect(logLines(r.stdout).filter((l) => l.msg === 'database not reachable yet; waiting for it').length).toBeGreaterThanOrEqual(2);
  });

  it('with database.startupWaitMs 0, `migrate` exits at the first refusal', async () => {
    const relay = await TcpRelay.reserve(db.url); // not listening
    const r = run('migrate', { DATABASE_URL: relay.urlFor(db.url), JOBNIK_DB_STARTUP_WAIT_MS: '0' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^jobnik-manager: cannot start: the database at 127\.0\.0\.1:\d+\/\w+ did not answer: connect ECONNREFUSED/);
    expect(logLines(r.stdout).filter((l) => l.msg.startsWith('database not reachable'))).toEqual([]);
  });

  it('does not wait on what waiting cannot fix: a database that does not exist, an unknown role', () => {
    // A wait of 10 minutes: were it waited, spawnSync's 60-s timeout would end the process (status null).
    const missing = new URL(TEST_PG_ADMIN_URL);
    missing.pathname = '/jobnik_no_such_database';
    const r1 = run('serve', { DATABASE_URL: missing.toString(), JOBNIK_DB_STARTUP_WAIT_MS: '600000' });
    expect(r1.status).toBe(1);
    expect(r1.stderr).toBe(`jobnik-manager: cannot start: the database at ${missing.hostname}:${missing.port || 5432}/jobnik_no_such_database refused the manager: database "jobnik_no_such_database" does not exist (3D000)`);

    const stranger = new URL(TEST_PG_ADMIN_URL);
    stranger.username = 'jobnik_no_such_role';
    const r2 = run('serve', { DATABASE_URL: stranger.toString(), JOBNIK_DB_STARTUP_WAIT_MS: '600000' });
    expect(r2.status).toBe(1);
    expect(r2.stderr).toMatch(/^jobnik-manager: cannot start: the database at .* refused the manager: role "jobnik_no_such_role" does not exist \(28000\)$/);
  });

  it('gives up on a database that accepts connections but never answers (database.connectTimeoutMs), instead of hanging', async () => {
    const relay = await TcpRelay.reserve(db.url);
    relay.mode = 'silent';
    await relay.listen();
    try {
      const r = run('serve', { DATABASE_URL: relay.urlFor(db.url), JOBNIK_DB_STARTUP_WAIT_MS: '1500', JOBNIK_DB_CONNECT_TIMEOUT_MS: '400' });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/^jobnik-manager: cannot start: the database at 127\.0\.0\.1:\d+\/\w+ did not answer within 1\.5 s \(database\.startupWaitMs\): Connection terminated due to connection timeout$/);
    } finally {
      await relay.close();
    }
  });

  describe('the database comes up during the wait', () => {
    let manager: ManagerCli | undefined;
    let relay: TcpRelay | undefined;
    afterAll(async () => {
      manager?.child.kill('SIGKILL');
      await relay?.close();
    });

    it('starts once it answers: ready, and serving the API', async () => {
      relay = await TcpRelay.reserve(db.url);
      manager = spawnManager(env({ DATABASE_URL: relay.urlFor(db.url), JOBNIK_DB_STARTUP_WAIT_MS: '60000' }));
      await waitFor(async () => manager!.output(), (o) => o.includes('database not reachable yet'), { timeoutMs: 30_000 });
      expect(manager.child.exitCode).toBeNull();

      await relay.listen(); // the database "comes up" on that port

      const url = await manager.listening(30_000);
      expect(logLines(manager.output()).some((l) => l.msg === 'database reachable')).toBe(true);
      const http = api(url);
      expect((await http.get('/health/ready')).status).toBe(200);
      const created = await http.post('/jobs', { name: 'after-the-wait', stages: [{ type: 'waited', tasks: [{}] }] });
      expect(created.status).toBe(201);
    });
  });
});
