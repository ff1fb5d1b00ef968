import { HealthRegistry } from '@tracehouse/shared/node';
import { describe, expect, it } from 'vitest';
import { cachedReport } from './health.js';

describe('cachedReport', () => {
  it('runs the checks at most once per interval and shares a run between concurrent probes', async () => {
    let now = 0;
    let runs = 0;
    let release: () => void = () => {};
    const health = new HealthRegistry();
    health.register('slow', async () => {
      runs += 1;
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      return true;
    });
    const report = cachedReport(health, 1_000, () => now);
    const probes = Array.from({ length: 50 }, () => report());
    // Let the registry start its one run, then finish it.
    await new Promise((resolve) => setImmediate(resolve));
    release();
    const answers = await Promise.all(probes);
    expect(runs).toBe(1);
    expect(answers.every((a) => a.ok)).toBe(true);
    now += 999;
    await report();
    expect(runs).toBe(1);
    now += 1;
    const next = report();
    await new Promise((resolve) => setImmediate(resolve));
    release();
    await next;
    expect(runs).toBe(2);
  });
});
