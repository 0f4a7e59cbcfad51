// What a producer sees when the manager says no: typed errors users can instanceof, over real HTTP.
import { describe, expect, it } from 'vitest';
import { testStores } from '@jobnik/manager/testing';
import { IdempotencyConflictError, IllegalTransitionError, NotFoundError, ProducerClient, RateLimitedError, UnauthorizedError, ValidationError } from '../src/index.js';
import { useManager } from './helpers/manager.js';

const ADMIN = 'admin-key-for-sdk-tests-0123456789';

describe.each(testStores())('errors from the manager (%s)', (store) => {
  const m = useManager(store, { auth: { mode: 'apiKey', adminKey: ADMIN } });
  const client = (apiKey?: string) => new ProducerClient({ baseUrl: m.url, ...(apiKey ? { apiKey } : {}) });

  it('rejects calls without a valid key with UnauthorizedError', async () => {
    for (const c of [client(), client('wrong-key')]) {
      const err = await c.listJobs().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UnauthorizedError);
      expect(err).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
      await c.close();
    }
  });

  it('maps not found, illegal transitions, reused idempotency keys and invalid input to their classes; a repeat with the same key returns the same job', async () => {
    const c = client(ADMIN);
    try {
      await expect(c.getJob('0190c2a4-5b6e-7c8d-9e0f-000000000000')).rejects.toBeInstanceOf(NotFoundError);
      const request = { idempotencyKey: 'same-job', stages: [{ type: m.unique('e'), tasks: [{ data: 1 }] }] };
      const job = await c.createJob('errs', request);
      const again = await c.createJob('errs', request);
      expect(again.id).toBe(job.id);
      const reused = await c.createJob('errs', { ...request, data: 'different' }).catch((e: unknown) => e);
      expect(reused).toBeInstanceOf(IdempotencyConflictError);
      await c.cancelJob(job.id);
      const illegal = await c.suspendJob(job.id).catch((e: unknown) => e);
      expect(illegal).toBeInstanceOf(IllegalTransitionError);
      expect(illegal).toMatchObject({ status: 409, code: 'ILLEGAL_TRANSITION' });
      const invalid = await c.createJob('errs', { stages: [{ type: 'bad type!' }] }).catch((e: unknown) => e);
      expect(invalid).toBeInstanceOf(ValidationError);
      expect((invalid as ValidationError).problem?.errors?.length).toBeGreaterThan(0);
    } finally {
      await c.close();
    }
  });
});

describe.each(testStores())('rate limiting (%s)', (store) => {
  const m = useManager(store, { auth: { mode: 'apiKey', adminKey: ADMIN, rateLimitPerMinute: 5 } });

  it('surfaces 429 as RateLimitedError with the Retry-After the manager asked for, without hammering it', async () => {
    const c = new ProducerClient({ baseUrl: m.url, apiKey: ADMIN, retry: { maxRetryAfterMs: 1_000 } });
    try {
      let err: unknown;
      for (let i = 0; i < 10 && !err; i++) err = await c.listJobs().then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(RateLimitedError);
      expect((err as RateLimitedError).retryAfterMs).toBeGreaterThan(1_000);
    } finally {
      await c.close();
    }
  });
});
