import type { MetricAnalyticsResponse } from '../api/types';
import type { Series } from './chart';

export const aggregations = ['count', 'avg', 'min', 'max', 'sum', 'p50', 'p90', 'p95', 'p99'] as const;
export type Aggregation = (typeof aggregations)[number];

/** A URL's `agg` parameter as an aggregation; anything else is `avg`. */
export const aggregationOf = (param: string | null): Aggregation =>
  aggregations.find((a) => a === param) ?? 'avg';

/** Buckets (one row per bucket and group) → shared x values and one series per group. */
export function toSeries(res: MetricAnalyticsResponse, agg: Aggregation): { xs: number[]; series: Series[] } {
  const xs = [...new Set(res.buckets.map((b) => Date.parse(b.start) / 1000))].sort((a, b) => a - b);
  const at = new Map(xs.map((x, i) => [x, i]));
  const groups = new Map<string, (number | null)[]>();
  for (const b of res.buckets) {
    const label = b.group === undefined ? agg : (b.group ?? '(none)');
    let values = groups.get(label);
    if (!values) {
      values = xs.map(() => null);
      groups.set(label, values);
    }
    const v = b[agg];
    values[at.get(Date.parse(b.start) / 1000)!] = v === undefined ? null : v;
  }
  return { xs, series: [...groups].map(([label, values]) => ({ label, values })) };
}
