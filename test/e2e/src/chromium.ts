// Debian's Chromium driven by playwright-core: headless, a fresh profile per session, and no traffic of
// its own (without the background-networking flags it keeps dialling Google on a closed network).
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.JOBNIK_CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface BrowserSession {
  context: BrowserContext;
  /** A new tab that records uncaught page errors in `session.pageErrors`. */
  newPage(): Promise<Page>;
  /** Uncaught exceptions thrown by the dashboard in any tab of this session. */
  pageErrors: string[];
  close(): Promise<void>;
}

export async function openBrowser(): Promise<BrowserSession> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: run \`sudo bash test/e2e/setup.sh\` (or set JOBNIK_CHROMIUM_PATH)`);
  }
  // Playwright takes the profile directory as an argument of its own (it refuses --user-data-dir in args).
  const userDataDir = await mkdtemp(join(tmpdir(), 'jobnik-e2e-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
    locale: 'en-US',
    timezoneId: 'UTC',
  });
  context.setDefaultTimeout(15_000);
  const pageErrors: string[] = [];
  // The persistent context opens with one blank tab; close it so every page is ours.
  for (const p of context.pages()) await p.close();
  return {
    context,
    pageErrors,
    async newPage() {
      const page = await context.newPage();
      page.on('pageerror', (err) => pageErrors.push(`${page.url()}: ${err.message}`));
      return page;
    },
    async close() {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}
