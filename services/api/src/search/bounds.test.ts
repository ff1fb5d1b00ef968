import type { AppError } from '@tracehouse/shared';
import { describe, expect, it } from 'vitest';
import { checkAnalyticsBounds } from './analytics-service.js';
import { withinBytes } from './search-service.js';

describe('withinBytes', () => {
  const rows = ['a'.repeat(100), 'b'.repeat(100), 'c'.repeat(100)];

  it('keeps rows until their JSON passes the budget, and says how many it used', () => {
    expect(withinBytes(rows, (r) => r, 250)).toEqual({ data: rows.slice(0, 2), used: 2 });
    expect(withinBytes(rows, (r) => r, 10_000).used).toBe(3);
  });

  it('always keeps the first row, so a page makes progress', () => {
    expect(withinBytes(rows, (r) => r, 1)).toEqual({ data: rows.slice(0, 1), used: 1 });
    expect(withinBytes([], (r) => r, 1)).toEqual({ data: [], used: 0 });
  });

  it('passes over rows without a view but counts them as used, so the cursor moves past them', () => {
    const view = (r: string) => (r.startsWith('b') ? undefined : r);
    expect(withinBytes(rows, view, 10_000)).toEqual({ data: [rows[0], rows[2]], used: 3 });
    expect(withinBytes(rows, view, 150)).toEqual({ data: [rows[0]], used: 2 });
  });
});

describe('checkAnalyticsBounds', () => {
  const bounds = { maxWindowDays: 30, maxBuckets: 100 };
  const fieldOf = (fn: () => void) => {
    try {
      fn();
    } catch (err) {
      return (err as AppError).details.field;
    }
    return undefined;
  };

  it('accepts windows and bucket counts within the bounds', () => {
    expect(fieldOf(() => checkAnalyticsBounds(30 * 86_400_000, 86_400, bounds))).toBeUndefined();
    expect(fieldOf(() => checkAnalyticsBounds(100_000, 1, bounds))).toBeUndefined();
  });

  it('names the field past a bound', () => {
    expect(fieldOf(() => checkAnalyticsBounds(31 * 86_400_000, 86_400, bounds))).toBe('filter.from');
    expect(fieldOf(() => checkAnalyticsBounds(101_000, 1, bounds))).toBe('interval_seconds');
  });
});
