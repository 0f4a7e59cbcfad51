// Dating a dequeue answer's leases on the worker's monotonic clock, without trusting wall clocks.
import { describe, expect, it } from 'vitest';
import { leaseLeftMs } from './lease-registry.js';

describe('leaseLeftMs', () => {
  it('counts from the send time plus what the manager held the request, not from when the answer was read', () => {
    // Sent at 1000, held 20 s by the manager, leased for 30 s: expires no earlier than 51 000.
    expect(leaseLeftMs({ heldMs: 20_000, leaseMs: 30_000 }, 1_000, 30_000, 21_050)).toBe(29_950);
    // The same answer read 40 s late (a frozen process): lapsed.
    expect(leaseLeftMs({ heldMs: 20_000, leaseMs: 30_000 }, 1_000, 30_000, 61_050)).toBeLessThan(0);
  });

  it("uses the manager's lease length over the one asked for, and counts from now when the manager does not say", () => {
    expect(leaseLeftMs({ heldMs: 0, leaseMs: 5_000 }, 0, 30_000, 1_000)).toBe(4_000);
    expect(leaseLeftMs({}, 0, 30_000, 99_999)).toBe(30_000);
  });
});
