import { describe, expect, it } from 'vitest';
import { LruMap } from './span-attrs.js';

/** A full map of 16 keys (k0 oldest) after `touch(k0)` and one more key, which evicts the oldest. */
function afterTouchingOldest(touch: (m: LruMap<number>) => void): LruMap<number> {
  const m = new LruMap<number>(16);
  for (let i = 0; i < 16; i++) m.set(`k${i}`, i);
  touch(m);
  m.set('k16', 16);
  return m;
}

describe('LruMap', () => {
  it('evicts the least recently used keys; get marks a key used, peek does not', () => {
    const got = afterTouchingOldest((m) => expect(m.get('k0')).toBe(0));
    expect([got.has('k0'), got.has('k1'), got.has('k16')]).toEqual([true, false, true]);

    const peeked = afterTouchingOldest((m) => expect(m.peek('k0')).toBe(0));
    expect([peeked.has('k0'), peeked.has('k1'), peeked.has('k16')]).toEqual([false, false, true]);
    expect(peeked.has('k2')).toBe(true);
  });
});
