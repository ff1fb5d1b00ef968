import { describe, expect, it } from 'vitest';
import { StateCache } from './state-cache.js';

describe('StateCache', () => {
  it('evicts the least recently used entries beyond its byte budget', () => {
    const cache = new StateCache<string>(10, (s) => s.length);
    cache.set('a', 'aaaa');
    cache.set('b', 'bbbb');
    cache.get('a'); // a is now the most recent
    cache.set('c', 'cccc');
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe('aaaa');
    expect(cache.get('c')).toBe('cccc');
    expect(cache.bytes).toBe(8);
  });

  it('does not keep a value larger than the whole budget', () => {
    const cache = new StateCache<string>(3, (s) => s.length);
    cache.set('big', 'xxxx');
    expect(cache.size).toBe(0);
  });

  it('replacing a key updates its size', () => {
    const cache = new StateCache<string>(100, (s) => s.length);
    cache.set('a', 'xx');
    cache.set('a', 'xxxxx');
    expect(cache.bytes).toBe(5);
  });
});
