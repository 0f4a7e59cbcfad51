// What the tests read off the dashboard, through the hooks its README documents (roles, labels, test ids).
import type { Page } from 'playwright-core';

export interface JobRowView {
  id: string;
  status: string;
  name: string;
  priority: string;
}

/** The rows of the jobs list as a user sees them. */
export function jobRows(page: Page): Promise<JobRowView[]> {
  return page.getByTestId('job-row').evaluateAll((rows) =>
    rows.map((r) => ({
      id: (r as HTMLElement).dataset.jobId ?? '',
      status: (r as HTMLElement).dataset.status ?? '',
      name: r.querySelector('.job-link')?.textContent ?? '',
      priority: r.querySelector('.priority')?.textContent ?? '',
    })),
  );
}

/** The job page's status (its `data-status`), or null while it is not shown. */
export async function jobPageStatus(page: Page): Promise<string | null> {
  const root = page.getByTestId('job-page');
  return (await root.count()) ? root.getAttribute('data-status') : null;
}

/** The job page's progress bar value (0–100), or null while it is not shown. */
export async function jobProgress(page: Page): Promise<number | null> {
  const bar = page.getByRole('progressbar', { name: 'Job progress' });
  if (!(await bar.count())) return null;
  return Number(await bar.getAttribute('aria-valuenow'));
}
