// Screenshots of what a user saw, for people reviewing a run (test-output/ is gitignored).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';

export const SCREENSHOT_DIR = fileURLToPath(new URL('../test-output/screenshots/', import.meta.url));

/** Saves a full-page PNG as test-output/screenshots/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  // Transitions (the progress bars' width) are fast-forwarded, so the picture shows the state asserted.
  await page.screenshot({ path, fullPage: true, animations: 'disabled' });
  return path;
}
