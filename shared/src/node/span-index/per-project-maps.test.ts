import { describe, expect, it } from 'vitest';
import { PerProjectMaps } from './per-project-maps.js';

describe('PerProjectMaps', () => {
  it('keeps each project apart under the same ids', () => {
    const maps = new PerProjectMaps<string>(10);
    maps.set('a', 'span', 'of a');
    maps.set('b', 'span', 'of b');
    expect([maps.get('a', 'span'), maps.get('b', 'span'), maps.get('c', 'span')]).toEqual([
      'of a',
      'of b',
      undefined,
    ]);
    maps.set('a', 'span', 'of a, again');
    expect(maps.size).toBe(2);
    expect(maps.get('a', 'span')).toBe('of a, again');
  });

  it('past its bound, drops the oldest written of the project holding the most, a sixteenth at a time', () => {
    const maps = new PerProjectMaps<number>(32);
    for (let i = 0; i < 4; i++) maps.set('quiet', `q${i}`, i);
    for (let i = 0; i < 28; i++) maps.set('busy', `b${i}`, i);
    maps.set('busy', 'b0', 0); // written again: now the newest of its project
    expect(maps.size).toBe(32);
    maps.set('busy', 'b28', 28); // 33 > 32: down to 30
    expect(maps.size).toBe(30);
    for (let i = 0; i < 4; i++) expect(maps.get('quiet', `q${i}`)).toBe(i);
    expect([maps.get('busy', 'b1'), maps.get('busy', 'b2'), maps.get('busy', 'b3')]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    expect([maps.get('busy', 'b4'), maps.get('busy', 'b0'), maps.get('busy', 'b28')]).toEqual([4, 0, 28]);
  });

  it('moves on to the next largest project when one is emptied', () => {
    const maps = new PerProjectMaps<number>(16);
    for (let p = 0; p < 16; p++) maps.set(`p${p}`, 'only', p);
    maps.set('p16', 'only', 16); // 17 > 16: down to 15, two projects of one entry each go
    expect(maps.size).toBe(15);
    expect(
      Array.from({ length: 17 }, (_, p) => maps.get(`p${p}`, 'only')).filter((v) => v === undefined),
    ).toHaveLength(2);
  });
});
