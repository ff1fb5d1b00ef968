import { aggregateExact } from '@tracehouse/shared';
import { describe, expect, it } from 'vitest';
import { bucketMsFor, RuleWindows } from './rule-windows.js';

describe('RuleWindows', () => {
  it('aggregates whole buckets in [from, to) and keeps a sample of trace ids', () => {
    const w = new RuleWindows({ bucketMs: 1_000, exactMax: 100 });
    w.add(500, 10, 't1');
    w.add(1_500, 20, 't2');
    w.add(2_500, 30, 't3');
    expect(w.aggregate('avg', 1_000, 3_000)).toEqual({ value: 25, count: 2, traces: ['t3', 't2'] });
    expect(w.aggregate('count', 5_000, 6_000).value).toBe(0);
    expect(w.aggregate('max', 5_000, 6_000).value).toBeNull();
    w.prune(2_000);
    expect(w.aggregate('sum', 0, 3_000).value).toBe(30);
  });

  it('percentiles are exact for small windows and within 1 % (of the rank value) beyond', () => {
    const values = [...Array(5_000).keys()].map((i) => 1 + ((i * 7_919) % 5_000));
    for (const exactMax of [10_000, 100]) {
      const w = new RuleWindows({ bucketMs: 1_000, exactMax });
      for (const [i, v] of values.entries()) w.add(i, v, 't');
      const got = w.aggregate('p95', 0, 10_000).value!;
      const exact = aggregateExact(values, 'p95')!;
      if (exactMax > values.length) expect(got).toBe(exact);
      else expect(Math.abs(got - exact)).toBeLessThanOrEqual(exact * 0.01 + 1);
    }
  });

  it('picks about 60 buckets per window, 1 s to 60 s wide', () => {
    expect(bucketMsFor(5)).toBe(1_000);
    expect(bucketMsFor(300)).toBe(5_000);
    expect(bucketMsFor(86_400)).toBe(60_000);
  });
});
