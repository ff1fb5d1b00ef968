import { describe, expect, it } from 'vitest';
import { VersionClock } from './version-clock.js';

describe('VersionClock', () => {
  it('is microseconds of the wall clock', () => {
    expect(new VersionClock(() => 1_700_000_000_123).next()).toBe(1_700_000_000_123_000);
  });

  it('stays strictly increasing when the clock stalls or steps back', () => {
    let now = 1_000;
    const clock = new VersionClock(() => now);
    const a = clock.next();
    const b = clock.next();
    now = 900;
    const c = clock.next();
    expect([b - a, c - b]).toEqual([1, 1]);
  });
});

describe('VersionClock.observe', () => {
  it('never gives a version below one acknowledged by a process whose clock is ahead', () => {
    const clock = new VersionClock(() => 1_000);
    clock.observe(3_000_000);
    expect(clock.next()).toBe(3_000_001);
    clock.observe(5);
    expect(clock.next()).toBe(3_000_002);
  });
});
