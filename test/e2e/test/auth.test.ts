// The sign-in flow against a manager with API keys on: the dashboard asks once, rejects a wrong key,
// and with the right one every page loads, also after a reload; signing out asks again.
import { randomBytes } from 'node:crypto';
import { testStores } from '@jobnik/manager/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, type BrowserSession } from '../src/chromium.js';
import { jobPageStatus, jobRows } from '../src/dashboard-page.js';
import { screenshot } from '../src/screenshots.js';
import { IDLE, startSystem, type System } from '../src/system.js';
import { waitFor } from '../src/wait-for.js';

// One store is enough for the sign-in flow: the real PostgreSQL one when it is in the set.
const store = testStores().includes('postgres') ? 'postgres' : testStores()[0]!;
const ADMIN_KEY = `e2e-admin-${randomBytes(12).toString('hex')}`;

describe(`dashboard sign-in (manager in apiKey mode, ${store})`, () => {
  let system: System;
  let browser: BrowserSession;
  let jobId: string;

  beforeAll(async () => {
    [system, browser] = await Promise.all([
      startSystem({ store, config: { auth: { mode: 'apiKey', adminKey: ADMIN_KEY, rateLimitPerMinute: 0 } }, apiKey: ADMIN_KEY }),
      openBrowser(),
    ]);
    jobId = (await system.producer.createJob('secured-export', { priority: 'HIGH', stages: [{ type: IDLE, tasks: [{ data: { n: 1 } }] }] })).id;
  });

  afterAll(async () => {
    await browser?.close();
    await system?.close();
  });

  it('asks for a key once, refuses a wrong one, and then loads every page', async () => {
    // The API really is closed without a key.
    const closed = await fetch(`${system.url}/jobs`);
    expect(closed.status).toBe(401);
    await closed.arrayBuffer();

    const page = await browser.newPage();
    await page.goto(`${system.url}/ui/jobs`);
    const form = page.getByTestId('api-key-form');
    await form.waitFor();
    expect(await page.getByTestId('job-row').count()).toBe(0);
    await screenshot(page, 'sign-in-form');

    await form.getByLabel('API key').fill('not-a-real-key');
    await form.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('The manager did not accept the stored API key').waitFor();
    expect(await page.getByTestId('job-row').count()).toBe(0);
    await screenshot(page, 'sign-in-rejected');

    await page.getByTestId('api-key-form').getByLabel('API key').fill(ADMIN_KEY);
    await page.getByTestId('api-key-form').getByRole('button', { name: 'Sign in' }).click();
    await waitFor('the secured job listed', async () => (await jobRows(page)).some((r) => r.id === jobId && r.name === 'secured-export'));
    expect(await page.getByTestId('api-key-form').count()).toBe(0);
    expect(await page.getByTestId('sign-out').isVisible()).toBe(true);
    await screenshot(page, 'signed-in-jobs');

    // Client-side navigation: the overview loads its data with the stored key.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Overview' }).click();
    await page.locator(`[data-testid=queue-row][data-queue="${IDLE}"]`).waitFor();
    expect(await page.getByTestId('api-key-form').count()).toBe(0);

    // A full page load (new document) still has the key: no second prompt.
    await page.goto(`${system.url}/ui/jobs/${jobId}`);
    await waitFor('the job page', async () => (await jobPageStatus(page)) === 'PENDING');
    expect(await page.getByTestId('api-key-form').count()).toBe(0);
    await screenshot(page, 'signed-in-job');

    await page.getByTestId('sign-out').click();
    await page.getByTestId('api-key-form').waitFor();
    expect(browser.pageErrors).toEqual([]);
  });
});
