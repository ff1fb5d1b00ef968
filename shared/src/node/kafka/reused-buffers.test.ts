import { describe, expect, it } from 'vitest';
import { capacityFor, ReusedBuffers } from './reused-buffers.js';

describe('ReusedBuffers', () => {
  it('lends exact sizes and reuses a buffer only once it is given back', () => {
    const buffers = new ReusedBuffers(1024, 1 << 20);
    const first = buffers.take(3000);
    expect(first).toHaveLength(3000);
    expect(buffers.lent(first)).toBe(true);
    // Not given back yet: another user gets other memory.
    const second = buffers.take(3000);
    expect(second.buffer).not.toBe(first.buffer);
    buffers.giveBack(first);
    expect(buffers.lent(first)).toBe(false);
    // Given back: its memory serves the next size of its capacity (3,072: capacityFor).
    const third = buffers.take(3050);
    expect(third.buffer).toBe(first.buffer);
    expect(third).toHaveLength(3050);
    buffers.giveBack(second);
    expect(buffers.take(5000).buffer).not.toBe(second.buffer);
  });

  it('gives small sizes ordinary buffers, never lends one twice, and keeps at most maxFreeBytes', () => {
    const buffers = new ReusedBuffers(1024, 4096);
    const small = buffers.take(100);
    expect(buffers.lent(small)).toBe(false);
    buffers.giveBack(small); // not one of ours: ignored
    const [a, b] = [buffers.take(3000), buffers.take(3000)];
    buffers.giveBack(a);
    buffers.giveBack(b); // past the bound: left to the collector
    buffers.giveBack(a); // twice: no effect
    const [c, d] = [buffers.take(3000), buffers.take(3000)];
    expect(c.buffer).toBe(a.buffer);
    expect(d.buffer).not.toBe(a.buffer);
    expect(d.buffer).not.toBe(b.buffer);
  });
});

describe('capacityFor', () => {
  it('rounds up to four steps per doubling, never more than a quarter over', () => {
    expect([4, 5, 7, 8, 9, 1024, 1025, 1280, 1281, 3000].map(capacityFor)).toEqual([
      4, 5, 7, 8, 10, 1024, 1280, 1280, 1536, 3072,
    ]);
    for (let size = 4; size < 100_000; size += 997) {
      expect(capacityFor(size)).toBeGreaterThanOrEqual(size);
      expect(capacityFor(size)).toBeLessThanOrEqual(size * 1.25);
    }
  });
});
