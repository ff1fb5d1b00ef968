import { describe, expect, it } from 'vitest';
import { backoffMs } from './backoff.js';

describe('backoffMs', () => {
  it('grows exponentially up to the cap, never below the floor', () => {
    const top = () => 0.999999;
    expect(backoffMs(0, 100, 5_000, top)).toBe(100);
    expect(backoffMs(3, 100, 5_000, top)).toBe(799);
    expect(backoffMs(20, 100, 5_000, top)).toBe(4_999);
    expect(backoffMs(5, 100, 5_000, () => 0)).toBe(100);
  });
});
