// The dashboard in Chromium against a real manager, worker and producer: overview, filters in the URL,
// live progress while the worker runs, and cancelling a job through the confirmation dialog.
import { testStores } from '@jobnik/manager/testing';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, type BrowserSession } from '../src/chromium.js';
import { jobPageStatus, jobProgress, jobRows } from '../src/dashboard-page.js';
import { screenshot } from '../src/screenshots.js';
import { GATED, HELD, HOLD, IDLE, startSystem, type System } from '../src/system.js';
import { waitFor } from '../src/wait-for.js';

const RENDER_TASKS = 8;

describe.each(testStores())('dashboard on %s', (store) => {
  let system: System;
  let browser: BrowserSession;
  let page: Page;
  let renderJobId: string;
  let holdJobId: string;
  const reportJobIds: string[] = [];
  /** The overview's row of a queue (of any tenant) by stage type. */
  const row = (queue: string) => page.locator(`[data-testid=queue-row][data-queue="${queue}"]`);

  beforeAll(async () => {
    [system, browser] = await Promise.all([startSystem({ store }), openBrowser()]);
    const p = system.producer;
    // Three reports nobody works on (their queue stays ready), one job the test lets finish task by task,
    // and one whose tasks run until cancelled.
    for (const priority of ['HIGH', 'LOW', 'LOW'] as const) {
      const job = await p.createJob('nightly-report', { priority, stages: [{ type: IDLE, tasks: [{ data: { part: 1 } }, { data: { part: 2 } }] }] });
      reportJobIds.push(job.id);
    }
    const render = await p.createJob('tile-export', {
      priority: 'MEDIUM',
      data: { region: 'north' },
      stages: [{ type: GATED, tasks: Array.from({ length: RENDER_TASKS }, (_, i) => ({ data: { tile: i } })) }],
    });
    renderJobId = render.id;
    const hold = await p.createJob('archive-import', { priority: 'VERY_HIGH', stages: [{ type: HOLD, tasks: [{ data: { file: 'a' } }, { data: { file: 'b' } }] }] });
    holdJobId = hold.id;
    // Every task that can run is running: the render tasks wait at the gate, the import tasks on their signal.
    await waitFor('the worker to run every render and import task', () => system.worker.inFlight === RENDER_TASKS + 2 && system.gate.held === RENDER_TASKS);
    page = await browser.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await system?.close();
  });

  it('overview shows the queues with their depth, the jobs by name and the worker', async () => {
    await page.goto(`${system.url}/ui/`);
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    const cells = (queue: string) => page.locator(`[data-testid=queue-row][data-queue="${queue}"] td.num`).allTextContents();
    // Columns: ready, delayed, in progress, paused, waiting, max in flight.
    expect((await waitFor('the idle queue row', async () => ((await cells(IDLE)).length ? cells(IDLE) : undefined))).slice(0, 3)).toEqual(['6', '0', '0']);
    expect((await cells(GATED)).slice(0, 3)).toEqual(['0', '0', String(RENDER_TASKS)]);
    await page.locator(`[data-testid=job-name-row][data-name="nightly-report"]`).waitFor();
    await page.locator(`[data-testid=worker-row][data-worker="${system.worker.workerId}"]`).waitFor();
    await screenshot(page, `overview-${store}`);
  });

  it('overview shows job groups with their capacity and tasks in flight, rate limits, and each queue\'s group and limit', async () => {
    const put = (path: string, body: unknown) => fetch(`${system.url}${path}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await put('/queue-groups/e2e-renderers', { maxInFlight: 20, stageTypes: [GATED] })).status).toBe(200);
    expect((await put(`/rate-limits/${IDLE}`, { limit: 600, periodMs: 60_000 })).status).toBe(200);
    await page.goto(`${system.url}/ui/`);
    const group = page.locator('[data-testid=group-row][data-group="e2e-renderers"] td');
    // In flight (the render tasks running at the gate), capacity, stage types.
    await waitFor('the group row with its tasks in flight', async () => ((await group.allTextContents())[0] === String(RENDER_TASKS) ? true : undefined));
    expect((await group.allTextContents()).slice(0, 3)).toEqual([String(RENDER_TASKS), '20', GATED]);
    await page.locator(`[data-testid=rate-limit-row][data-stage-type="${IDLE}"]`).getByText('600/min', { exact: true }).waitFor();
    await page.locator(`[data-testid=queue-row][data-queue="${GATED}"] [data-testid=queue-group]`).getByText('e2e-renderers').waitFor();
    await page.locator(`[data-testid=queue-row][data-queue="${IDLE}"] [data-testid=queue-rate-limit]`).getByText('600/min').waitFor();
    // The idle queue is its stage type's only tenant with ready work: its whole share.
    expect(await page.locator(`[data-testid=queue-row][data-queue="${IDLE}"] [data-testid=queue-share]`).textContent()).toBe('100 %');
    await screenshot(page, `overview-flow-${store}`);
    expect((await fetch(`${system.url}/queue-groups/e2e-renderers`, { method: 'DELETE' })).status).toBe(204);
  });

  it('filters the jobs list by name and priority, and the filter survives a reload through the URL', async () => {
    await page.goto(`${system.url}/ui/jobs`);
    await waitFor('all five jobs listed', async () => (await jobRows(page)).length === 5);

    const form = page.getByTestId('job-filters');
    await form.getByLabel('Name').fill('nightly-report');
    await form.getByLabel('LOW', { exact: true }).check();
    await form.getByRole('button', { name: 'Apply filters' }).click();

    const expected = reportJobIds.slice(1).sort();
    const shown = async () => (await jobRows(page)).map((r) => `${r.id} ${r.name} ${r.priority}`).sort();
    const want = expected.map((id) => `${id} nightly-report LOW`);
    await waitFor('only the two LOW nightly reports listed', async () => JSON.stringify(await shown()) === JSON.stringify(want));
    const url = new URL(page.url());
    expect(url.searchParams.get('name')).toBe('nightly-report');
    expect(url.searchParams.get('priority')).toBe('LOW');

    await page.reload();
    await waitFor('the same two rows after a reload', async () => JSON.stringify(await shown()) === JSON.stringify(want));
    expect(await page.getByTestId('job-filters').getByLabel('Name').inputValue()).toBe('nightly-report');
    expect(await page.getByTestId('job-filters').getByLabel('LOW', { exact: true }).isChecked()).toBe(true);
    expect(await page.getByTestId('job-filters').getByLabel('HIGH', { exact: true }).isChecked()).toBe(false);
    await screenshot(page, `jobs-filtered-${store}`);

    await page.getByRole('button', { name: 'Clear filters' }).click();
    await waitFor('all five jobs listed again', async () => (await jobRows(page)).length === 5);
    expect(new URL(page.url()).searchParams.get('name')).toBeNull();
  });

  it('opens a job from the list and shows its progress advance as the worker finishes tasks, pushed by its event stream', async () => {
    // The page's clock is ours: once it is paused no timer fires, so no poll can bring the changes below.
    await page.clock.install();
    await page.goto(`${system.url}/ui/jobs`);
    await page.locator(`[data-testid=job-row][data-job-id="${renderJobId}"] a.job-link`).click();
    await waitFor('the job page of the render job', async () => (await page.getByTestId('job-page').getAttribute('data-job-id')) === renderJobId);
    expect(new URL(page.url()).pathname).toBe(`/ui/jobs/${renderJobId}`);
    await waitFor('the job to show IN_PROGRESS at 0 %', async () => (await jobPageStatus(page)) === 'IN_PROGRESS' && (await jobProgress(page)) === 0);
    await waitFor('the job page to follow its event stream', async () => (await page.getByTestId('job-page').getAttribute('data-live')) === 'stream');
    const jobLoads: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes(`/jobs/${renderJobId}?include=stages`)) jobLoads.push(r.url());
    });
    await page.clock.pauseAt(new Date(Date.now() + 60_000));

    system.gate.release(RENDER_TASKS / 2);
    await waitFor('the progress bar to reach 50 % with the page clock stopped (no polling)', async () => (await jobProgress(page)) === 50);
    expect(await jobPageStatus(page)).toBe('IN_PROGRESS');
    // Each load of the job was asked for by an event (four attempts ended): none by a timer.
    expect(jobLoads.length).toBeGreaterThan(0);
    expect(jobLoads.length).toBeLessThanOrEqual(RENDER_TASKS / 2);
    await screenshot(page, `job-progress-half-${store}`);
    await page.clock.resume();

    system.gate.release(RENDER_TASKS / 2);
    await waitFor('the job to show COMPLETED at 100 %', async () => (await jobPageStatus(page)) === 'COMPLETED' && (await jobProgress(page)) === 100);
    const stage = page.getByTestId('stage-card');
    expect(await stage.getAttribute('data-stage-type')).toBe(GATED);
    expect(await stage.getAttribute('data-status')).toBe('COMPLETED');
    // A finished job offers no cancel.
    expect(await page.getByTestId('job-action-cancel').isDisabled()).toBe(true);
    // Its history timeline ends with the job's completion, after the eight attempts.
    await page.locator('[data-testid=history-entry][data-kind=job][data-to=COMPLETED]').waitFor();
    expect(await page.locator('[data-testid=history-entry][data-kind=attempt][data-to=COMPLETED]').count()).toBe(RENDER_TASKS);
    await screenshot(page, `job-completed-${store}`);
  });

  it('cancels a running job only after the confirmation, and shows it ABORTED', async () => {
    await page.goto(`${system.url}/ui/jobs/${holdJobId}`);
    await waitFor('the import job IN_PROGRESS', async () => (await jobPageStatus(page)) === 'IN_PROGRESS');
    const cancel = page.getByTestId('job-action-cancel');
    const dialog = page.getByRole('dialog', { name: 'Cancel this job?' });

    // "No" leaves the job alone.
    await cancel.click();
    await dialog.waitFor();
    await page.getByTestId('confirm-no').click();
    await dialog.waitFor({ state: 'hidden' });
    expect((await system.producer.getJob(holdJobId)).status).toBe('IN_PROGRESS');

    await cancel.click();
    await dialog.waitFor();
    await screenshot(page, `job-cancel-confirm-${store}`);
    await page.getByTestId('confirm-yes').click();
    await waitFor('the job page to show ABORTED', async () => (await jobPageStatus(page)) === 'ABORTED');
    await dialog.waitFor({ state: 'hidden' });
    expect(await page.getByTestId('job-page').getByTestId('status-badge').first().textContent()).toBe('ABORTED');
    expect(await cancel.isDisabled()).toBe(true);
    expect((await system.producer.getJob(holdJobId)).status).toBe('ABORTED');
    // The cancel reached the running handlers: the worker let go of both tasks, and the stage's task
    // table (refreshed on its own poll) shows them aborted too.
    await waitFor('the worker to stop the cancelled tasks', () => system.worker.inFlight === 0);
    const taskStatuses = () => page.getByTestId('task-row').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.status));
    await waitFor('both task rows ABORTED', async () => JSON.stringify(await taskStatuses()) === '["ABORTED","ABORTED"]');
    await screenshot(page, `job-cancelled-${store}`);
  });

  it('shows a held stage as held and releases it only after the confirmation', async () => {
    const p = system.producer;
    const job = await p.createJob('bulk-ingest', { stages: [{ type: HELD, hold: true, tasks: [{ data: { part: 1 } }] }] });
    const stageId = job.stages![0]!.id;
    await p.addTasks(stageId, [{ data: { part: 2 } }]);
    await page.goto(`${system.url}/ui/jobs/${job.id}`);
    const card = page.locator(`[data-testid="stage-card"][data-stage-id="${stageId}"]`);
    await card.getByTestId('stage-held').waitFor();
    expect(await card.getAttribute('data-status')).toBe('WAITING');
    const release = card.getByTestId('stage-action-release');
    const dialog = page.getByRole('dialog', { name: 'Release this stage?' });

    await release.click();
    await dialog.waitFor();
    await page.getByTestId('confirm-no').click();
    await dialog.waitFor({ state: 'hidden' });
    expect((await p.getStage(stageId)).held).toBe(true);

    await release.click();
    await dialog.waitFor();
    await screenshot(page, `stage-release-confirm-${store}`);
    await page.getByTestId('confirm-yes').click();
    await waitFor('the stage card to show PENDING', async () => (await card.getAttribute('data-status')) === 'PENDING');
    await card.getByTestId('stage-held').waitFor({ state: 'detached' });
    expect(await p.getStage(stageId)).toMatchObject({ held: false, status: 'PENDING', summary: { pending: 2 } });
  });

  it('overview lists the queues with work; a switch shows the idle ones too', async () => {
    // A stage type no worker serves, whose only job is cancelled: its queue stays, with nothing left to run.
    const done = await system.producer.createJob('dropped-export', { stages: [{ type: 'e2e-dropped', tasks: [{ data: {} }] }] });
    await system.producer.cancelJob(done.id);
    await page.goto(`${system.url}/ui/`);
    await row(IDLE).waitFor();
    expect(await row('e2e-dropped').count()).toBe(0);
    await page.getByTestId('queues-show-idle').check();
    await row('e2e-dropped').waitFor();
    expect(await row(IDLE).count()).toBe(1);
    // The switch is in the URL: a reload keeps it, Back undoes it.
    await page.reload();
    await row('e2e-dropped').waitFor();
    expect(await page.getByTestId('queues-show-idle').isChecked()).toBe(true);
    await page.goBack();
    await row('e2e-dropped').waitFor({ state: 'detached' });
    expect(await page.getByTestId('queues-show-idle').isChecked()).toBe(false);
    await page.goForward();
    await row('e2e-dropped').waitFor();
    await page.getByTestId('queues-show-idle').uncheck();
    await row('e2e-dropped').waitFor({ state: 'detached' });
  });

  it("overview lists one tenant's queues when a tenant is entered", async () => {
    await system.producer.createJob('other-tenant-export', { tenantId: 'e2e-other', stages: [{ type: 'e2e-other-work', tasks: [{ data: {} }] }] });
    await page.goto(`${system.url}/ui/`);
    await row('e2e-other-work').waitFor();
    await row(IDLE).waitFor();
    await page.getByTestId('queues-tenant').fill('e2e-other');
    await page.getByTestId('queues-tenant').press('Enter');
    await row(IDLE).waitFor({ state: 'detached' });
    expect(await row('e2e-other-work').getAttribute('data-tenant')).toBe('e2e-other');
    await screenshot(page, `overview-queues-of-tenant-${store}`);
    // A reload keeps the tenant, in the list and in the box.
    await page.reload();
    await row('e2e-other-work').waitFor();
    expect(await row(IDLE).count()).toBe(0);
    expect(await page.getByTestId('queues-tenant').inputValue()).toBe('e2e-other');
    await page.getByTestId('queues-tenant').fill('');
    await page.getByTestId('queues-tenant').press('Enter');
    await row(IDLE).waitFor();
  });

  it('pages through more schedules than one page shows', async () => {
    // 101 schedules: one more than the 100 of a page (by name).
    for (let i = 0; i < 101; i += 25) {
      await Promise.all(
        Array.from({ length: Math.min(25, 101 - i) }, (_, j) =>
          system.producer.createSchedule({ name: `e2e-sched-${String(i + j).padStart(3, '0')}`, cron: '0 3 * * *', enabled: false, jobTemplate: { name: 'e2e-sched' } }),
        ),
      );
    }
    await page.goto(`${system.url}/ui/schedules`);
    const rows = page.locator('[data-testid=schedule-row]');
    const named = (name: string) => page.getByRole('rowheader', { name, exact: true });
    await named('e2e-sched-000').waitFor();
    await page.getByTestId('page-next').waitFor();
    expect(await rows.count()).toBe(100);
    expect(await named('e2e-sched-100').count()).toBe(0);
    await page.getByTestId('page-next').click();
    await named('e2e-sched-100').waitFor();
    expect(await rows.count()).toBe(1);
    expect(await page.getByTestId('page-next').isDisabled()).toBe(true);
    await page.getByTestId('page-first').click();
    await named('e2e-sched-000').waitFor();
  });

  it('pages through more queues than one page shows', async () => {
    // 600 more queues with work (stage types no worker serves): more than the 500 of a page.
    for (let j = 0; j < 6; j++) {
      const stages = Array.from({ length: 100 }, (_, i) => ({ type: `e2e-many-${String(j * 100 + i).padStart(3, '0')}`, tasks: [{ data: {} }] }));
      await system.producer.createJob('many-queues', { stages });
    }
    await page.goto(`${system.url}/ui/`);
    const rows = page.locator('[data-testid=queue-row]');
    await row(IDLE).waitFor();
    await page.getByTestId('page-next').waitFor();
    expect(await rows.count()).toBe(500);
    expect(await row('e2e-many-599').count()).toBe(0);
    await page.getByTestId('page-next').click();
    await row('e2e-many-599').waitFor();
    expect(await row(IDLE).count()).toBe(0);
    expect(await page.getByTestId('page-next').isDisabled()).toBe(true);
    // The page is in the URL: a reload stays on it.
    await page.reload();
    await row('e2e-many-599').waitFor();
    expect(await row(IDLE).count()).toBe(0);
    await page.getByTestId('page-first').click();
    await row(IDLE).waitFor();
  });

  it('threw no uncaught errors in the page', () => {
    expect(browser.pageErrors).toEqual([]);
  });
});
