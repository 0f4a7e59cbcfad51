// Retention's metrics over real HTTP on both stores: an operator sees how many finished jobs wait past their retention
// and how long the most overdue one has waited (while a paced sweep works through them), and what retention deleted.
import { describe, expect, it } from 'vitest';
import { Retention } from '../src/loops/retention.js';
import { testStores } from '../src/testing.js';
import { tasksOf, waitFor } from './api.js';
import { useManager } from './fixtures.js';

const metric = (text: string, line: string) => Number(new RegExp(`^${line.replace(/[{}.+"]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1] ?? 'NaN');

describe.each(testStores())('retention metrics on %s', (store) => {
  // At 1 % with one task per statement, the first sweep rests 99 times as long as each deletion: it is still at work
  // when the test scrapes.
  const options = { days: 7, intervalMs: 3_600_000, batchSize: 1, dutyPercent: 1 };
  const t = useManager(store, { retention: options });
  const scrape = async () => (await t.a.get<string>('/metrics')).body;
  const count = async (sql: string, jobId: string) => (await t.m.manager.db.query<{ n: number }>(sql, [jobId]))[0]!.n;
  const tasksLeft = (jobId: string) => count('SELECT count(*)::int AS n FROM tasks WHERE job_id = $1', jobId);

  it('shows the expired jobs waiting and how overdue they are, then what the sweep deleted', async () => {
    const text0 = await scrape();
    expect(metric(text0, 'jobnik_retention_expired_jobs')).toBe(0);
    expect(metric(text0, 'jobnik_retention_deleted_total{what="jobs"}')).toBe(0);

    const make = async (name: string) => (await t.a.post('/jobs', { name, stages: [{ type: 'rm', tasks: tasksOf(50) }] })).body.id as string;
    const overdue = await make('rm-overdue');
    const fresh = await make('rm-fresh');
    for (const id of [overdue, fresh]) expect((await t.a.post(`/jobs/${id}/cancel`)).status).toBe(200);
    // Past its retention by an hour (the database's clock decides, as the sweep's does); the other keeps 7 days.
    await t.m.manager.db.query(`UPDATE jobs SET expires_at = now() - interval '1 hour' WHERE id = $1`, [overdue]);
    const history =
      (await count('SELECT count(*)::int AS n FROM job_history WHERE job_id = $1', overdue)) +
      (await count('SELECT count(*)::int AS n FROM task_attempts WHERE job_id = $1', overdue));

    const paced = t.m.manager.retention.sweep();
    await waitFor(() => tasksLeft(overdue), (n) => n < 50);
    const during = await scrape();
    expect(metric(during, 'jobnik_retention_expired_jobs')).toBe(1);
    const seconds = metric(during, 'jobnik_retention_overdue_seconds');
    expect(seconds).toBeGreaterThanOrEqual(3600);
    expect(seconds).toBeLessThan(3600 + 120);
    expect(metric(during, 'jobnik_retention_deleted_total{what="tasks"}')).toBeGreaterThanOrEqual(1);
    await t.m.manager.retention.stop();
    expect(await paced).toBe(0);

    // An unpaced sweep reporting to the same metrics finishes the job: the backlog reads 0 and the counters add up.
    const leftBefore = await tasksLeft(overdue);
    const deletedBefore = metric(await scrape(), 'jobnik_retention_deleted_total{what="tasks"}');
    expect(deletedBefore + leftBefore).toBe(50);
    const sweep = new Retention(t.m.manager.db, { ...options, batchSize: 5_000, dutyPercent: 100 }, t.m.manager.logger, t.m.manager.metrics.retention);
    expect(await sweep.sweep()).toBe(1);
    const after = await scrape();
    expect(metric(after, 'jobnik_retention_expired_jobs')).toBe(0);
    expect(metric(after, 'jobnik_retention_overdue_seconds')).toBe(0);
    expect(metric(after, 'jobnik_retention_deleted_total{what="jobs"}')).toBe(1);
    expect(metric(after, 'jobnik_retention_deleted_total{what="tasks"}')).toBe(50);
    expect(history).toBeGreaterThan(0);
    expect(metric(after, 'jobnik_retention_deleted_total{what="history"}')).toBe(history);
    expect((await t.a.get(`/jobs/${overdue}`)).status).toBe(404);
    expect((await t.a.get(`/jobs/${fresh}`)).status).toBe(200);
  });
});
