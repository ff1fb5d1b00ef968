import { describe, expect, it } from 'vitest';
import { evictOldest, evictWhile } from './bounded-map.js';

describe('evictOldest', () => {
  it('leaves a map at or under its bound alone', () => {
    const map = new Map(Array.from({ length: 32 }, (_, i) => [i, i]));
    evictOldest(map, 32);
    expect(map.size).toBe(32);
  });

  it('past the bound, removes the oldest sixteenth and keeps the newest', () => {
    const map = new Map<number, number>();
    for (let i = 0; i <= 32; i++) map.set(i, i);
    map.delete(3); // a hole, as a re-inserted (recently read) entry leaves
    map.set(3, 3);
    evictOldest(map, 32);
    const from4To32 = Array.from({ length: 29 }, (_, i) => i + 4);
    expect([...map.keys()]).toEqual([...from4To32, 3]); // 0, 1 and 2 went: 33 entries down to 30
  });
});

describe('evictWhile', () => {
  it('deletes oldest first while asked, telling of each', () => {
    const map = new Map([
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ]);
    let total = 6;
    const evicted: string[] = [];
    evictWhile(
      map,
      () => total > 3,
      (key, value) => {
        evicted.push(key);
        total -= value;
      },
    );
    expect(evicted).toEqual(['a', 'b']);
    expect([...map.keys()]).toEqual(['c']);
  });
});
