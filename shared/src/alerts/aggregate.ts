import type { AlertComparator } from '../api/alerts.js';
import type { Aggregation } from '../api/search.js';

export const quantileOf = { p50: 0.5, p90: 0.9, p95: 0.95, p99: 0.99 } as const;

/**
 * An aggregation over exact values; percentiles interpolate linearly between the two nearest ranks
 * (numpy's default, ClickHouse's quantileExactInclusive), as analytics does, so both agree.
 * null for no values (every aggregation but count).
 */
export function aggregateExact(values: readonly number[], aggregation: Aggregation): number | null {
  if (aggregation === 'count') return values.length;
  if (values.length === 0) return null;
  switch (aggregation) {
    case 'sum':
      return values.reduce((a, b) => a + b, 0);
    case 'avg':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'min':
      return values.reduce((a, b) => Math.min(a, b));
    case 'max':
      return values.reduce((a, b) => Math.max(a, b));
    default: {
      const sorted = [...values].sort((a, b) => a - b);
      const pos = quantileOf[aggregation] * (sorted.length - 1);
      const lo = Math.floor(pos);
      const hi = Math.ceil(pos);
      return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
    }
  }
}

export function crosses(value: number, comparator: AlertComparator, threshold: number): boolean {
  switch (comparator) {
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
  }
}
