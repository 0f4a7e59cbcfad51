import { describe, expect, it } from 'vitest';
import { resolveWorkerOptions } from './worker-options.js';

describe('worker options', () => {
  it('refuses a tenantId the manager would refuse on every dequeue, at construction', () => {
    for (const tenantId of ['', 'a/b', ' acme', 'x'.repeat(129)]) {
      expect(() => resolveWorkerOptions({ baseUrl: 'http://127.0.0.1:1', tenantId }), JSON.stringify(tenantId)).toThrow(/invalid tenantId/);
    }
    expect(resolveWorkerOptions({ baseUrl: 'http://127.0.0.1:1', tenantId: 'acme.eu-1' }).tenantId).toBe('acme.eu-1');
  });
});
