// How the manager serves the dashboard build: the app shell for client-side routes, the hashed assets,
// and a plain 404 (not the shell) for a file that is not there. Every response body is read: an unread
// one keeps its connection busy, and the manager's close waits for it.
import { startTestManager, testStores, type TestManager } from '@jobnik/manager/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const store = testStores().includes('postgres') ? 'postgres' : testStores()[0]!;

describe(`manager serving the dashboard at /ui (${store})`, () => {
  let manager: TestManager;
  let shell: string;

  beforeAll(async () => {
    manager = await startTestManager({ store });
    const res = await fetch(`${manager.url}/ui/`);
    expect(res.status).toBe(200);
    shell = await res.text();
  });

  afterAll(async () => {
    await manager?.close();
  });

  it('serves the app shell for client-side routes', async () => {
    expect(shell).toContain('<div id="root">');
    for (const path of ['/ui/jobs', '/ui/jobs/0190f5c1-7b2a-7c3d-8e4f-0123456789ab', '/ui/schedules']) {
      const res = await fetch(`${manager.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toMatch(/^text\/html/);
      expect(res.headers.get('cache-control'), path).toBe('no-cache');
      expect(await res.text(), path).toBe(shell);
    }
    const root = await fetch(`${manager.url}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/ui/');
    await root.arrayBuffer();
  });

  it('serves the build\'s script and stylesheet with their types', async () => {
    const script = /src="\/ui\/(assets\/[^"]+\.js)"/.exec(shell)?.[1];
    const style = /href="\/ui\/(assets\/[^"]+\.css)"/.exec(shell)?.[1];
    expect(script).toBeDefined();
    expect(style).toBeDefined();
    const js = await fetch(`${manager.url}/ui/${script}`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    // Hashed names: a browser keeps them for good and never asks again.
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await js.text()).length).toBeGreaterThan(1000);
    const css = await fetch(`${manager.url}/ui/${style}`);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    expect((await css.text()).length).toBeGreaterThan(100);
  });

  it('answers 404 for a missing asset instead of the app shell', async () => {
    for (const path of ['/ui/assets/index-0ld8uild.js', '/ui/assets/missing.css', '/ui/favicon.ico']) {
      const res = await fetch(`${manager.url}${path}`);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type'), path).toMatch(/^application\/problem\+json/);
      expect(await res.text(), path).not.toContain('<div id="root">');
    }
  });
});
