import { describe, expect, it } from 'vitest';
import { DDSketch } from './sketch.js';

const exactAtRank = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(q * (sorted.length - 1))]!;
};

describe('DDSketch', () => {
  it('answers every percentile within 1 % of the exact value at its rank, positive and negative values', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const values = [...Array(20_000)].map(() => Math.exp(random() * 12) - 50);
    const sketch = new DDSketch();
    for (const v of values) sketch.add(v);
    for (const q of [0, 0.01, 0.5, 0.9, 0.95, 0.99, 1]) {
      const exact = exactAtRank(values, q);
      expect(Math.abs(sketch.quantile(q)! - exact)).toBeLessThanOrEqual(Math.abs(exact) * 0.01 + 1e-9);
    }
  });

  it('merges: two halves give the answers of the whole', () => {
    const a = new DDSketch();
    const b = new DDSketch();
    const whole = new DDSketch();
    for (let i = 1; i <= 1_000; i++) {
      (i % 2 ? a : b).add(i);
      whole.add(i);
    }
    a.merge(b);
    expect(a.count).toBe(1_000);
    for (const q of [0.5, 0.95, 0.99]) expect(a.quantile(q)).toBe(whole.quantile(q));
  });

  it('is empty-safe and keeps zeros', () => {
    const s = new DDSketch();
    expect(s.quantile(0.5)).toBeNull();
    s.add(0);
    s.add(0);
    s.add(5);
    expect(s.quantile(0.5)).toBe(0);
  });
});
