import { describe, expect, it } from 'vitest';
import { TracehouseError } from '../errors.js';
import { backoffMs, retryDelayMs } from './backoff.js';

describe('backoff', () => {
  it('doubles its ceiling per attempt, with jitter between the floor and the ceiling, capped', () => {
    expect([0, 1, 2, 3].map((a) => backoffMs(a, 100, 10_000, () => 1))).toEqual([100, 200, 400, 800]);
    expect(backoffMs(3, 100, 10_000, () => 0)).toBe(100);
    expect(backoffMs(20, 100, 10_000, () => 1)).toBe(10_000);
  });

  it('waits at least what Retry-After asks, but no longer than the cap', () => {
    const busy = (seconds: number) =>
      new TracehouseError('busy', { status: 503, retryAfterSeconds: seconds });
    expect(retryDelayMs(busy(3), 0, 100, 30_000, () => 0)).toBe(3_000);
    expect(retryDelayMs(busy(0), 2, 100, 30_000, () => 1)).toBe(400);
    expect(retryDelayMs(busy(3_600), 0, 100, 30_000, () => 0)).toBe(30_000);
    expect(retryDelayMs(new Error('reset'), 1, 100, 30_000, () => 1)).toBe(200);
  });
});
