// Schedules, job types, API keys and the webhook delivery log through the ProducerClient.
import { describe, expect, it } from 'vitest';
import { testStores, waitFor } from '@jobnik/manager/testing';
import { NotFoundError, ValidationError } from '../src/index.js';
import { useManager } from './helpers/manager.js';

describe.each(testStores())('ProducerClient administration (%s)', (store) => {
  const m = useManager(store);

  it('manages a schedule that fires jobs', async () => {
    const p = m.producer();
    const name = m.unique('cron');
    const s = await p.createSchedule({ name, cron: '* * * * * *', catchUp: 'none', jobTemplate: { name } });
    expect(s.nextFireAt).not.toBeNull();
    expect((await p.listSchedules()).map((x) => x.id)).toContain(s.id);
    await waitFor(async () => (await p.listJobs({ name })).items.length >= 1, { message: 'the schedule fired no job' });
    expect((await p.updateSchedule(s.id, { enabled: false })).nextFireAt).toBeNull();
    await p.deleteSchedule(s.id);
    await expect(p.getSchedule(s.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('lists every schedule, past the manager\'s page of 1,000', async () => {
    const p = m.producer();
    const prefix = m.unique('many');
    const made = new Set<string>();
    for (let i = 0; i < 1001; i += 50) {
      const batch = await Promise.all(Array.from({ length: Math.min(50, 1001 - i) }, (_, j) => p.createSchedule({ name: `${prefix}-${String(i + j).padStart(4, '0')}`, cron: '0 3 * * *', enabled: false, jobTemplate: { name: prefix } })));
      for (const s of batch) made.add(s.id);
    }
    const listed = (await p.listSchedules()).filter((x) => x.name.startsWith(prefix));
    expect(listed).toHaveLength(1001);
    expect(new Set(listed.map((x) => x.id))).toEqual(made);
  });

  it('registers a job type whose schema rejects bad data', async () => {
    const p = m.producer();
    const name = m.unique('typed');
    await p.putJobType(name, { defaults: { priority: 'LOW' }, dataSchema: { type: 'object', required: ['n'] } });
    expect((await p.getJobType(name)).defaults.priority).toBe('LOW');
    expect((await p.createJob(name, { data: { n: 1 } })).priority).toBe('LOW');
    await expect(p.createJob(name, { data: {} })).rejects.toBeInstanceOf(ValidationError);
    expect((await p.listJobTypes()).map((t) => t.name)).toContain(name);
  });

  it('creates, lists and revokes API keys, and reads a job\'s webhook deliveries', async () => {
    const p = m.producer();
    const key = await p.createApiKey({ tenantId: 't1', role: 'worker', name: 'w' });
    expect(key.key).toMatch(/^jbk_/);
    expect((await p.listApiKeys()).find((k) => k.id === key.id)?.revokedAt).toBeNull();
    await p.revokeApiKey(key.id);
    expect((await p.listApiKeys()).find((k) => k.id === key.id)?.revokedAt).not.toBeNull();
    const job = await p.createJob(m.unique('hooked'), { webhooks: [{ url: 'http://127.0.0.1:9/unreachable', events: ['job.aborted'] }] });
    await p.cancelJob(job.id);
    const log = await waitFor(async () => {
      const l = await p.listWebhookDeliveries(job.id);
      return l.length === 1 ? l : undefined;
    }, { message: 'no webhook delivery was logged' });
    expect(log[0]).toMatchObject({ event: 'job.aborted', jobId: job.id });
  });
});
