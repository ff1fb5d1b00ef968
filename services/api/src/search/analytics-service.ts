import type { ClickHouseClient } from '@clickhouse/client';
import {
  type Aggregation,
  AppError,
  ErrorCodes,
  type MetricAnalyticsRequest,
  type MetricAnalyticsResponse,
  normalizeTimestamp,
} from '@tracehouse/shared';
import { isoFromClickHouse, metricPointsSql, toClickHouseAppError } from '@tracehouse/shared/node';
import { spanConditions } from './filter-sql.js';
import { SqlParams } from './sql-params.js';
import { chTime, resolveWindow, type TimeWindow } from './window.js';

/** Bucket widths the automatic interval picks from (seconds): about 60 buckets per window. */
const niceIntervals = [
  1,
  5,
  10,
  30,
  60,
  300,
  600,
  900,
  1800,
  3600,
  3 * 3600,
  6 * 3600,
  12 * 3600,
  86400,
  7 * 86400,
];

export function autoInterval(windowMs: number, buckets = 60): number {
  const wanted = windowMs / 1000 / buckets;
  return niceIntervals.find((i) => i >= wanted) ?? niceIntervals.at(-1)!;
}

/** Each aggregation as SQL over the metric's `value`; percentiles are exact, interpolated like numpy's default. */
const aggregationSql: Record<Exclude<Aggregation, Percentile>, string> = {
  count: 'count()',
  avg: 'avg(value)',
  min: 'min(value)',
  max: 'max(value)',
  sum: 'sum(value)',
};

type Percentile = 'p50' | 'p90' | 'p95' | 'p99';
const percentileLevels: Record<Percentile, number> = { p50: 0.5, p90: 0.9, p95: 0.95, p99: 0.99 };
const isPercentile = (a: Aggregation): a is Percentile => a in percentileLevels;

/**
 * The SELECT list for the aggregations. Percentiles share one `quantilesExactInclusive` state: each
 * exact quantile keeps every value of its group, so three of them kept (and sorted) the values three
 * times over.
 */
function aggregationColumns(aggregations: Aggregation[]): string[] {
  const percentiles = aggregations.filter(isPercentile);
  const columns = aggregations.flatMap((a) => (isPercentile(a) ? [] : [`${aggregationSql[a]} AS ${a}`]));
  if (percentiles.length === 0) return columns;
  const levels = percentiles.map((a) => percentileLevels[a]).join(', ');
  return [
    ...columns,
    `quantilesExactInclusive(${levels})(value) AS percentiles`,
    ...percentiles.map((a, i) => `percentiles[${i + 1}] AS ${a}`),
  ];
}

/** Filters that only name the span attributes each metric point carries (migrations 0006, 0014). */
const onMetricRows = new Set(['tags', 'tag_keys', 'name', 'from', 'to', 'trace_id']);

/**
 * The metrics to aggregate: `m.value` beside `s.start_time`, `s.name` and `s.tags` of their span, from
 * `metric_points` (the dimension's points in the window). When the filter only names attributes the
 * points carry, `s` is the points themselves; otherwise they are joined to the spans that match.
 */
function metricSource(
  req: MetricAnalyticsRequest,
  projectId: string,
  window: TimeWindow,
  spanWhere: string[],
  p: SqlParams,
): string {
  const points = metricPointsSql({
    project: p.add(projectId, 'UUID'),
    dimension: p.add(req.dimension, 'String'),
    from: p.add(chTime(window.from), "DateTime64(6, 'UTC')"),
    to: p.add(chTime(window.to), "DateTime64(6, 'UTC')"),
  });
  if (Object.keys(req.filter ?? {}).every((key) => onMetricRows.has(key))) {
    return `(SELECT * FROM (${points}) WHERE ${spanWhere.join(' AND ')}) AS s`;
  }
  return `(SELECT trace_id, span_id, value FROM (${points})) AS m
    INNER JOIN (SELECT trace_id, span_id, start_time, name, tags FROM spans_v2 FINAL WHERE ${spanWhere.join(' AND ')}) AS s
      ON m.trace_id = s.trace_id AND m.span_id = s.span_id`;
}

/**
 * One metric dimension per time bucket of the span's start time, over the spans the filter matches,
 * optionally one series per span name or tag value. Buckets without metrics are left out.
 */
export interface AnalyticsBounds {
  maxWindowDays: number;
  maxBuckets: number;
}

/** Refuses windows and bucket counts past the bounds, naming the field to change (422). */
export function checkAnalyticsBounds(
  windowMs: number,
  intervalSeconds: number,
  bounds: AnalyticsBounds,
): void {
  const tooBig = (field: string, message: string) =>
    new AppError(ErrorCodes.VALIDATION, `${field}: ${message}`, { details: { field } });
  if (windowMs > bounds.maxWindowDays * 86_400_000) {
    throw tooBig(
      'filter.from',
      `the window (filter.from to filter.to) may span at most ${bounds.maxWindowDays} days`,
    );
  }
  const buckets = Math.ceil(windowMs / 1000 / intervalSeconds);
  if (buckets > bounds.maxBuckets) {
    throw tooBig(
      'interval_seconds',
      `${buckets} buckets over this window; at most ${bounds.maxBuckets} (raise interval_seconds or narrow the window)`,
    );
  }
}

export async function metricAnalytics(
  clickhouse: ClickHouseClient,
  projectId: string,
  req: MetricAnalyticsRequest,
  bounds: AnalyticsBounds,
  now: Date = new Date(),
): Promise<MetricAnalyticsResponse> {
  const window = resolveWindow(req.filter, now);
  const windowMs = Date.parse(window.to) - Date.parse(window.from);
  const interval = req.interval_seconds ?? autoInterval(windowMs);
  checkAnalyticsBounds(windowMs, interval, bounds);
  const p = new SqlParams();
  const spanWhere = spanConditions(req.filter, projectId, window, p);
  const group =
    req.group_by === undefined
      ? 'NULL'
      : 'span_name' in req.group_by
        ? 's.name'
        : `if(mapContains(s.tags, ${p.add(req.group_by.tag, 'String')}), s.tags[${p.add(req.group_by.tag, 'String')}], NULL)`;
  const aggregations = [...new Set(req.aggregations)];
  const query = `
    SELECT toString(toStartOfInterval(s.start_time, toIntervalSecond(${p.add(interval, 'UInt32')}))) AS bucket,
           ${group} AS series,
           ${aggregationColumns(aggregations).join(',\n           ')}
    FROM ${metricSource(req, projectId, window, spanWhere, p)}
    GROUP BY bucket, series
    ORDER BY bucket, series`;
  let rows: Record<string, unknown>[];
  try {
    const rs = await clickhouse.query({ query, query_params: p.values, format: 'JSONEachRow' });
    rows = await rs.json();
  } catch (err) {
    throw toClickHouseAppError(err, 'aggregating metrics');
  }
  return {
    dimension: req.dimension,
    from: window.from,
    to: window.to,
    interval_seconds: interval,
    buckets: rows.map((row) => {
      // Buckets print as DateTime (no fraction); answer with the same microsecond ISO as every time.
      const start = normalizeTimestamp(isoFromClickHouse(String(row.bucket))) ?? String(row.bucket);
      const bucket: MetricAnalyticsResponse['buckets'][number] = { start };
      if (req.group_by !== undefined) bucket.group = (row.series as string | null) ?? null;
      const values = bucket as Record<string, unknown>;
      for (const a of aggregations) {
        const v = row[a];
        // Averages of no values come back as NaN/null; JSON has no NaN.
        values[a] = v === null || v === undefined || Number.isNaN(Number(v)) ? null : Number(v);
      }
      return bucket;
    }),
  };
}
